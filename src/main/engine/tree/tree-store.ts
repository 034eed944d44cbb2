import { enableArrayMethods, enablePatches, freeze, Immer, type Draft, type Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';
import { PAGE_SIZE, pageOf, toPublicPatches } from './paged-patches';

enablePatches();
enableArrayMethods();

/**
 * The store's own immer: it freezes nothing by itself (walking and freezing every page a step copied was half of
 * an update's time); the store freezes each node it hands out instead, and nothing outside it holds the pages.
 */
const treeImmer = new Immer({ autoFreeze: false, useStrictIteration: false });

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
type InternalDraft = TreeDraft & { [ALLOCATE](fields: NewNode): number };

/** Adds a node inside an update; its depth is one more than its first parent's unless given. */
export function addNode(draft: TreeDraft, fields: NewNode): number {
  return (draft as InternalDraft)[ALLOCATE](fields);
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
  /** during an update: immer's draft of the pages, the node count so far, the ids the recipe read or wrote */
  private draftPages: Draft<PagedTree> | null = null;
  private draftCount = 1;
  private readonly reached: number[] = [];
  private pending: { recipe: (draft: TreeDraft) => unknown; result: unknown } | null = null;
  /** what a recipe sees, built once: its node lookups go to the current draft */
  private readonly draft: InternalDraft;

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    const node = freeze({ ...root, id: 0, parents: [], depth: 0 } as TreeNode, true);
    this.paged = { pages: [[node]] };
    this.view = { rootId: 0, nodes: { 0: node }, order: [0] };
    const nodes = new Proxy({} as Record<number, Draft<TreeNode>>, {
      get: (_, key) => (typeof key === 'string' ? this.draftNode(Number(key)) : undefined),
      set: () => {
        throw new Error('add nodes with addNode()');
      },
    });
    const size = () => this.draftCount;
    this.draft = {
      nodes,
      get size() {
        return size();
      },
      [ALLOCATE]: (fields) => this.allocate(fields),
    };
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
    const before = this.count;
    this.pending = { recipe, result: undefined };
    this.draftCount = before;
    this.reached.length = 0;
    try {
      if (this.listeners.size === 0) {
        // patches cost time to build: a store nobody listens to (headless evaluations, benchmarks) skips them
        this.paged = treeImmer.produce(this.paged, this.runRecipe);
        this.install(before);
      } else {
        const [next, patches] = treeImmer.produceWithPatches(this.paged, this.runRecipe);
        this.paged = next;
        this.install(before);
        if (patches.length > 0) {
          const publicPatches = toPublicPatches(patches, before);
          for (const listener of this.listeners) listener(publicPatches, this.view);
        }
      }
      return this.pending.result as T;
    } finally {
      this.draftPages = null;
      this.pending = null;
    }
  }

  /** The recipe of the update under way, run on immer's draft (one bound method: no closures per update). */
  private readonly runRecipe = (paged: Draft<PagedTree>): void => {
    this.draftPages = paged;
    this.pending!.result = this.pending!.recipe(this.draft);
  };

  private draftNode(id: number): Draft<TreeNode> | undefined {
    const node = this.draftPages!.pages[pageOf(id)]?.[id % PAGE_SIZE];
    if (node) this.reached.push(id);
    return node;
  }

  private allocate(fields: NewNode): number {
    const id = this.draftCount++;
    const parent = fields.parents[0];
    // read from the tree as it was before the step unless the parent is new in it: no draft made just to read
    const depth =
      fields.depth ?? (parent === undefined ? 0 : (this.view.nodes[parent] ?? this.draftNode(parent)!).depth + 1);
    // frozen on arrival: immer takes the new node as it is instead of walking it when the step ends
    (this.draftPages!.pages[pageOf(id)] ??= []).push(freeze({ ...fields, depth, id } as TreeNode, true));
    return id;
  }

  /**
   * After an update: the view takes the node objects the step could have replaced (those it reached and those
   * it added), frozen like every node the store hands out (the store's immer does not freeze on its own).
   */
  private install(before: number): void {
    const pages = this.paged.pages;
    for (const id of this.reached) this.view.nodes[id] = freeze(pages[pageOf(id)]![id % PAGE_SIZE]!, true);
    for (let id = before; id < this.draftCount; id++) {
      this.view.nodes[id] = pages[pageOf(id)]![id % PAGE_SIZE]!;
      this.view.order.push(id);
    }
    this.count = this.draftCount;
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
