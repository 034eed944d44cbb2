import { freeze, type Draft, type Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';
import { editPatches } from './node-edits';

/** What a search step edits: nodes by id, and how many there are (ids are dense, in creation order). */
export interface TreeDraft {
  readonly nodes: Record<number, Draft<TreeNode>>;
  readonly size: number;
}
export type NewNode = Omit<TreeNode, 'id' | 'depth'> & { depth?: number };
/** `state` is the store's live view: read it during the call, copy it to keep it. */
export type PatchListener = (patches: Patch[], state: TreeState) => void;

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
 * The tree one run grows. Every change goes through `update`, one batch of immer-format patches per search
 * step against the public shape ({ nodes: {id: node}, order: [ids] }). The step edits copies: a node it reads
 * is copied (with its `parents`, the one array a step extends in place), new nodes are plain objects until the
 * step ends, and nothing is kept if the step throws. At the end, the copies that differ from their node replace
 * it (frozen), with one patch per changed field. immer's produceWithPatches did the same with proxies and cost
 * about as much as the forward pass of the small bundled model; this costs what the step changes.
 */
export class TreeStore {
  private readonly view: TreeState;
  private count = 1;
  private readonly listeners = new Set<PatchListener>();

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    const node = freeze({ ...root, id: 0, parents: [], depth: 0 } as TreeNode, true);
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
    const before = this.count;
    const existing = this.view.nodes;
    const added: Draft<TreeNode>[] = [];
    const copies = new Map<number, Draft<TreeNode>>();
    const nodes = new Proxy({} as Record<number, Draft<TreeNode>>, {
      get: (_, key) => {
        if (typeof key !== 'string') return undefined;
        const id = Number(key);
        if (id >= before) return added[id - before];
        let copy = copies.get(id);
        if (copy === undefined) {
          const node = existing[id];
          if (node === undefined) return undefined;
          copy = { ...node, parents: [...node.parents] } as Draft<TreeNode>;
          copies.set(id, copy);
        }
        return copy;
      },
      set: () => {
        throw new Error('add nodes with addNode()');
      },
    });
    const draft: InternalDraft = {
      nodes,
      get size() {
        return before + added.length;
      },
      [ALLOCATE]: (node) => {
        const id = before + added.length;
        added.push({ ...node, id } as Draft<TreeNode>);
        return id;
      },
    };
    const result = recipe(draft);
    // new nodes first, so that edits of existing nodes (a merged state's extra parent) refer to nodes that exist
    const patches: Patch[] = [];
    for (const node of added) {
      const frozen = freeze(node as TreeNode, true);
      existing[node.id] = frozen;
      this.view.order.push(node.id);
      patches.push({ op: 'add', path: ['nodes', node.id], value: frozen });
      patches.push({ op: 'add', path: ['order', node.id], value: node.id });
    }
    for (const [id, copy] of copies) {
      const node = existing[id]!;
      const edits = editPatches(id, node, copy);
      if (edits.length === 0) continue;
      existing[id] = freeze(copy as TreeNode, true);
      for (const edit of edits) patches.push(edit);
    }
    this.count = before + added.length;
    if (patches.length === 0) return result;
    for (const listener of this.listeners) listener(patches, this.view);
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
