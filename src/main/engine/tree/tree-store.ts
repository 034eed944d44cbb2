import { enablePatches, produceWithPatches, type Draft, type Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';

enablePatches();

export type TreeDraft = Draft<TreeState>;
export type NewNode = Omit<TreeNode, 'id' | 'depth'> & { depth?: number };
export type PatchListener = (patches: Patch[], state: TreeState) => void;

/** Adds a node inside an update; its depth is one more than its first parent's unless given. */
export function addNode(draft: TreeDraft, fields: NewNode): number {
  const id = draft.order.length;
  const parent = fields.parents[0];
  const depth = fields.depth ?? (parent === undefined ? 0 : draft.nodes[parent]!.depth + 1);
  draft.nodes[id] = { ...fields, id, depth } as TreeNode;
  draft.order.push(id);
  return id;
}

export function setStatus(draft: TreeDraft, id: number, status: NodeStatus): void {
  draft.nodes[id]!.status = status;
}

/**
 * The tree one run grows. Every change goes through `update`, which records immer patches and hands them
 * to subscribers (the stream to the main process and the renderer).
 */
export class TreeStore {
  private current: TreeState;
  private readonly listeners = new Set<PatchListener>();

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    this.current = { rootId: 0, nodes: { 0: { ...root, id: 0, parents: [], depth: 0 } as TreeNode }, order: [0] };
  }

  get state(): TreeState {
    return this.current;
  }

  get size(): number {
    return this.current.order.length;
  }

  node(id: number): TreeNode {
    const node = this.current.nodes[id];
    if (!node) throw new Error(`no node ${id}`);
    return node;
  }

  update<T>(recipe: (draft: TreeDraft) => T): T {
    let result!: T;
    const [next, patches] = produceWithPatches(this.current, (draft) => {
      result = recipe(draft);
    });
    this.current = next;
    if (patches.length > 0) for (const listener of this.listeners) listener(patches, next);
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
