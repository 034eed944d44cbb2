import { enablePatches, Immer, type Draft, type Patch } from 'immer';
import type { NodeStatus, TreeNode, TreeState } from '../../../shared/tree';
import { deepFreeze } from './deep-freeze';

enablePatches();

/**
 * The store's own immer: it freezes nothing by itself; the store freezes each node it hands out instead (immer's
 * freeze checks every property for drafts, and was a third of an update's time).
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

const ALLOCATE = Symbol('allocate');
type InternalDraft = TreeDraft & { [ALLOCATE](fields: NewNode): number };

/**
 * Adds a node inside an update; its depth is one more than its first parent's unless given. The store takes
 * `fields` over: the object itself becomes the node (given its id and depth, then frozen), so pass a fresh one.
 */
export function addNode(draft: TreeDraft, fields: NewNode): number {
  return (draft as InternalDraft)[ALLOCATE](fields);
}

export function setStatus(draft: TreeDraft, id: number, status: NodeStatus): void {
  draft.nodes[id]!.status = status;
}

/**
 * The tree one run grows. Every change goes through `update`, one transaction per search step whose patches
 * subscribers get as one batch, against the public shape ({ nodes: {id: node}, order: [ids] }).
 * Inside a step each node the recipe reaches is an immer draft of its own (createDraft / finishDraft, patches
 * included), so a step costs what it changes: no container is copied or walked, whatever the tree's size.
 */
export class TreeStore {
  private count = 1;
  private readonly view: TreeState;
  private readonly listeners = new Set<PatchListener>();
  /** during an update: the drafts of the nodes the recipe reached, and the nodes it added (not yet in the view) */
  private readonly drafts = new Map<number, Draft<TreeNode>>();
  private readonly added: TreeNode[] = [];
  private updating = false;
  /** what a recipe sees, built once: its node lookups go to the current step's drafts */
  private readonly draft: InternalDraft;

  constructor(root: Omit<NewNode, 'parents' | 'depth'>) {
    const node = deepFreeze({ ...root, id: 0, parents: [], depth: 0 } as TreeNode);
    this.view = { rootId: 0, nodes: { 0: node }, order: [0] };
    const nodes = new Proxy({} as Record<number, Draft<TreeNode>>, {
      get: (_, key) => (typeof key === 'string' ? this.draftNode(Number(key)) : undefined),
      set: () => {
        throw new Error('add nodes with addNode()');
      },
    });
    const size = () => this.count + this.added.length;
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

  /** One step's changes: all of them or, if the recipe throws, none. */
  update<T>(recipe: (draft: TreeDraft) => T): T {
    if (this.updating) throw new Error('tree updates do not nest');
    this.updating = true;
    try {
      const result = recipe(this.draft);
      this.commit();
      return result;
    } finally {
      this.drafts.clear();
      this.added.length = 0;
      this.updating = false;
    }
  }

  /**
   * Finishes the step's drafts into the view and tells the listeners: new nodes first (whole, as they ended the
   * step), then each edit of an existing node by its field, so that an edit never refers to a node not yet there.
   */
  private commit(): void {
    const patches: Patch[] | null = this.listeners.size > 0 ? [] : null;
    const edits: Patch[] = [];
    const firstNew = this.count;
    const added = this.added;
    for (const [id, draft] of this.drafts) {
      if (id >= firstNew) {
        added[id - firstNew] = deepFreeze(treeImmer.finishDraft(draft) as TreeNode);
        continue;
      }
      const recorder =
        patches === null
          ? undefined
          : (nodePatches: Patch[]) => {
              for (const patch of nodePatches) edits.push({ ...patch, path: ['nodes', id, ...patch.path] });
            };
      const next = treeImmer.finishDraft(draft, recorder) as TreeNode;
      if (next !== this.view.nodes[id]) this.view.nodes[id] = deepFreeze(next);
    }
    for (const node of added) {
      this.view.nodes[node.id] = node;
      this.view.order.push(node.id);
      patches?.push(
        { op: 'add', path: ['nodes', node.id], value: node },
        { op: 'add', path: ['order', node.id], value: node.id },
      );
    }
    this.count += added.length;
    if (patches === null) return;
    patches.push(...edits);
    if (patches.length === 0) return;
    for (const listener of this.listeners) listener(patches, this.view);
  }

  /** A node as it stands in this update before any edit: in the view, or added by the update so far. */
  private committedOrAdded(id: number): TreeNode | undefined {
    return id >= this.count ? this.added[id - this.count] : this.view.nodes[id];
  }

  private draftNode(id: number): Draft<TreeNode> | undefined {
    let draft = this.drafts.get(id);
    if (draft) return draft;
    const node = this.committedOrAdded(id);
    if (!node) return undefined;
    draft = treeImmer.createDraft(node);
    this.drafts.set(id, draft);
    return draft;
  }

  private allocate(fields: NewNode): number {
    const id = this.count + this.added.length;
    const parent = fields.parents[0];
    // the parent as it stands, not a draft of it: no draft made just to read
    const depth = fields.depth ?? (parent === undefined ? 0 : this.committedOrAdded(parent)!.depth + 1);
    // the fields object becomes the node: copying it ({ ...fields, depth, id }) cost V8 about 1.5 KB a node,
    // a quarter of all a beam step allocated; frozen on arrival, like every node the store hands out
    const node = fields as NewNode & { depth: number; id: number };
    node.depth = depth;
    node.id = id;
    this.added.push(deepFreeze(node as TreeNode));
    return id;
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
