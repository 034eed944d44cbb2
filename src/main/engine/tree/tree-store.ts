import type { Draft, Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';
import { editPatches, freezeNode } from './node-edits';

/** What a search step edits: nodes by id, and how many there are (ids are dense, in creation order). */
export interface TreeDraft {
  readonly nodes: Record<number, Draft<TreeNode>>;
  readonly size: number;
}
export type NewNode = Omit<TreeNode, 'id' | 'depth'> & { depth?: number };
/** `state` is the store's live view: read it during the call, copy it to keep it. */
export type PatchListener = (patches: Patch[], state: TreeState) => void;

const ALLOCATE = Symbol('allocate');
type InternalDraft = TreeDraft & { [ALLOCATE](fields: NewNode, depth: number): number };

/** Adds a node inside an update; its depth is one more than its first parent's unless given. */
export function addNode(draft: TreeDraft, fields: NewNode): number {
  const parent = fields.parents[0];
  const depth = fields.depth ?? (parent === undefined ? 0 : draft.nodes[parent]!.depth + 1);
  return (draft as InternalDraft)[ALLOCATE](fields, depth);
}

export function setStatus(draft: TreeDraft, id: number, status: NodeStatus): void {
  draft.nodes[id]!.status = status;
}

/** `draft.nodes[id]` inside an update: the store's draft of that node. */
class DraftNodes implements ProxyHandler<Record<number, Draft<TreeNode>>> {
  constructor(private readonly store: TreeStore) {}

  get(_: unknown, key: string | symbol): Draft<TreeNode> | undefined {
    return typeof key === 'string' ? this.store.draftNode(Number(key)) : undefined;
  }

  set(): boolean {
    throw new Error('add nodes with addNode()');
  }
}

/** What a step's recipe gets: the store's draft nodes and size. */
class StepDraft implements InternalDraft {
  readonly nodes: Record<number, Draft<TreeNode>>;

  constructor(private readonly store: TreeStore) {
    this.nodes = new Proxy<Record<number, Draft<TreeNode>>>({}, new DraftNodes(store));
  }

  get size(): number {
    return this.store.draftSize;
  }

  [ALLOCATE](fields: NewNode, depth: number): number {
    return this.store.allocate(fields, depth);
  }
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
  /** the step in progress: its new nodes and its copies of existing ones (reused from step to step) */
  private readonly added: Draft<TreeNode>[] = [];
  private readonly copies = new Map<number, Draft<TreeNode>>();
  private updating = false;
  /** one draft for every step: a step allocates nothing it does not keep */
  private readonly draft: InternalDraft;

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    const node = freezeNode({ ...root, id: 0, parents: [], depth: 0 } as TreeNode);
    this.view = { rootId: 0, nodes: { 0: node }, order: [0] };
    this.draft = new StepDraft(this);
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

  /** The size of the tree as the step in progress sees it. */
  get draftSize(): number {
    return this.count + this.added.length;
  }

  /** A new node of the step in progress (kept if the step completes). */
  allocate(fields: NewNode, depth: number): number {
    const id = this.count + this.added.length;
    this.added.push({ ...fields, depth, id } as Draft<TreeNode>);
    return id;
  }

  /** A node as a step sees it: a new node itself, an existing one as a copy the step may edit. */
  draftNode(id: number): Draft<TreeNode> | undefined {
    if (id >= this.count) return this.added[id - this.count];
    let copy = this.copies.get(id);
    if (copy === undefined) {
      const node = this.view.nodes[id];
      if (node === undefined) return undefined;
      copy = { ...node, parents: [...node.parents] } as Draft<TreeNode>;
      this.copies.set(id, copy);
    }
    return copy;
  }

  update<T>(recipe: (draft: TreeDraft) => T): T {
    if (this.updating) throw new Error('a tree update cannot run inside another');
    this.updating = true;
    let result: T;
    try {
      result = recipe(this.draft);
    } catch (err) {
      this.added.length = 0;
      this.copies.clear();
      throw err;
    } finally {
      this.updating = false;
    }
    const existing = this.view.nodes;
    // patches only for someone to hear them (a headless evaluation has no listener)
    const patches: Patch[] | null = this.listeners.size > 0 ? [] : null;
    // new nodes first, so that edits of existing nodes (a merged state's extra parent) refer to nodes that exist
    for (const node of this.added) {
      const frozen = freezeNode(node as TreeNode);
      existing[node.id] = frozen;
      this.view.order.push(node.id);
      patches?.push(
        { op: 'add', path: ['nodes', node.id], value: frozen },
        { op: 'add', path: ['order', node.id], value: node.id },
      );
    }
    this.count += this.added.length;
    this.added.length = 0;
    for (const [id, copy] of this.copies) {
      if (editPatches(id, existing[id]!, copy, patches)) existing[id] = freezeNode(copy as TreeNode);
    }
    this.copies.clear();
    if (patches && patches.length > 0) for (const listener of this.listeners) listener(patches, this.view);
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
