import { enablePatches, freeze, produce, produceWithPatches, type Draft, type Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';
import { PAGE_SIZE, pageOf, toPublicPatches } from './paged-patches';

enablePatches();

/** What a search step edits: nodes by id, and how many there are (ids are dense, in creation order). */
export interface TreeDraft {
  readonly nodes: Record<number, Draft<TreeNode>>;
  readonly size: number;
}
export type NewNode = Omit<TreeNode, 'id' | 'depth'> & { depth?: number };
/** `state` is the store's live view: read it during the call, copy it to keep it. */
export type PatchListener = (patches: Patch[], state: TreeState) => void;

interface PagedTree {
  pages: TreeNode[][];
}

const ALLOCATE = Symbol('allocate');
type InternalDraft = TreeDraft & { [ALLOCATE](node: Omit<TreeNode, 'id'>): number };

/** Adds a node inside an update; its depth is one more than its first parent's unless given. */
export function addNode(draft: TreeDraft, fields: NewNode): number {
  const parent = fields.parents[0];
  const depth = fields.depth ?? (parent === undefined ? 0 : draft.nodes[parent]!.depth + 1);
  return (draft as InternalDraft)[ALLOCATE]({ ...fields, depth } as Omit<TreeNode, 'id'>);
}

export function setStatus(draft: TreeDraft, id: number, status: NodeStatus): void {
  draft.nodes[id]!.status = status;
}

/**
 * The tree one run grows. Every change goes through `update`, one immer `produceWithPatches` per search step;
 * subscribers get the patches against the public shape ({ nodes: {id: node}, order: [ids] }).
 * Inside, nodes live in fixed-size pages, so a step costs what it changes, not the size of the tree: immer
 * copies and walks only the pages a step touched.
 */
export class TreeStore {
  private paged: PagedTree;
  private count = 1;
  private readonly view: TreeState;
  private readonly listeners = new Set<PatchListener>();

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    const node = { ...root, id: 0, parents: [], depth: 0 } as TreeNode;
    this.paged = { pages: [[node]] };
    this.view = { rootId: 0, nodes: { 0: node }, order: [0] };
  }

  /** The live tree (node objects are immutable; the containers grow in place). */
  get state(): TreeState {
    return this.view;
  }

  /** An independent copy of the tree as it is now. */
  snapshot(): TreeState {
    return { rootId: this.view.rootId, nodes: { ...this.view.nodes }, order: [...this.view.order] };
  }

  get size(): number {
    return this.count;
  }

  node(id: number): TreeNode {
    const node = this.view.nodes[id];
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  update<T>(recipe: (draft: TreeDraft) => T): T {
    let result!: T;
    const before = this.count;
    let count = this.count;
    const step = (paged: Draft<PagedTree>) => {
      const nodes = new Proxy({} as Record<number, Draft<TreeNode>>, {
        get: (_, key) =>
          typeof key === 'string' ? paged.pages[pageOf(Number(key))]?.[Number(key) % PAGE_SIZE] : undefined,
        set: () => {
          throw new Error('add nodes with addNode()');
        },
      });
      const draft: InternalDraft = {
        nodes,
        get size() {
          return count;
        },
        [ALLOCATE]: (node) => {
          const id = count++;
          const page = pageOf(id);
          // frozen on arrival: immer then takes the new node as it is instead of walking it when the step ends
          (paged.pages[page] ??= []).push(freeze({ ...node, id } as TreeNode, true));
          return id;
        },
      };
      result = recipe(draft);
    };
    // Patches cost time to build: a store nobody listens to (headless evaluations, benchmarks) skips them
    // and finds the nodes a step replaced by comparing the pages it copied.
    if (this.listeners.size === 0) {
      const previous = this.paged;
      const next = produce(previous, step);
      this.paged = next;
      this.count = count;
      next.pages.forEach((page, p) => {
        if (page === previous.pages[p]) return;
        page.forEach((node, slot) => (this.view.nodes[p * PAGE_SIZE + slot] = node));
      });
      for (let id = before; id < count; id++) this.view.order.push(id);
      return result;
    }
    const [next, patches] = produceWithPatches(this.paged, step);
    this.paged = next;
    this.count = count;
    if (patches.length === 0) return result;
    const { publicPatches, touched } = toPublicPatches(patches, before);
    for (const id of touched) {
      this.view.nodes[id] = next.pages[pageOf(id)]![id % PAGE_SIZE]!;
    }
    for (let id = before; id < count; id++) this.view.order.push(id);
    for (const listener of this.listeners) listener(publicPatches, this.view);
    return result;
  }

  subscribe(listener: PatchListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Token ids from the root's child down to this node, following first parents. */
  pathTokens(id: number): number[] {
    const tokens: number[] = [];
    for (let node = this.node(id); node.parents.length > 0; node = this.node(node.parents[0]!)) {
      if (node.tokenId !== null) tokens.push(node.tokenId);
    }
    return tokens.reverse();
  }

  /** Node ids from the root to this node, following first parents. */
  pathIds(id: number): number[] {
    const ids: number[] = [];
    for (let node = this.node(id); ; node = this.node(node.parents[0]!)) {
      ids.push(node.id);
      if (node.parents.length === 0) break;
    }
    return ids.reverse();
  }
}
