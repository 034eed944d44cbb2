import type { TreeNode, TreeState } from '../../../../shared/tree';

/** How a researcher asked to see one tree. */
export interface ViewOptions {
  /** draw no pruned leaves at all, not even their "+k pruned" stubs */
  hidePruned: boolean;
  /** nodes whose subtrees are folded away */
  collapsed: ReadonlySet<number>;
  /** parents whose pruned leaves are drawn one by one instead of as a stub */
  expandedStubs: ReadonlySet<number>;
  /** replay: only the first `limit` nodes in creation order (null: all) */
  limit: number | null;
}

export const defaultViewOptions = (): ViewOptions => ({
  hidePruned: false,
  collapsed: new Set(),
  expandedStubs: new Set(),
  limit: null,
});

/** One drawn thing: a tree node, or the stub standing for a parent's pruned leaves. */
export interface ViewNode {
  /** element key, unique in the view: `n<id>` for a node, `s<parent id>` for a stub */
  key: string;
  /** the tree node drawn (for a stub: its parent) */
  nodeId: number;
  stub: boolean;
  /** a stub: how many pruned leaves it stands for; a collapsed node: how many descendants are folded */
  hidden: number;
  parent: ViewNode | null;
  children: ViewNode[];
  depth: number;
}

/** Pruned leaves folded into one stub only when there are at least this many (one stub per leaf saves nothing). */
const STUB_MIN = 2;

/**
 * The tree as drawn: each parent's pruned leaves folded into one "+k pruned" stub (unless expanded, or
 * hidden altogether), collapsed subtrees folded into their root, and children ordered so the child with
 * the biggest subtree comes first (the tidy layout draws it in line with its parent: chains are straight
 * and runner-ups hang beside them), the others by score.
 */
export function viewTree(
  tree: TreeState,
  options: ViewOptions,
): { root: ViewNode | null; nodes: Map<string, ViewNode>; size: number } {
  const nodes = new Map<string, ViewNode>();
  const rootNode = tree.nodes[tree.rootId];
  if (!rootNode) return { root: null, nodes, size: 0 };
  const shown = options.limit === null ? tree.order : tree.order.slice(0, options.limit);
  // Children lists along first parents, restricted to what the replay shows, as flat arrays indexed by
  // node id (the engine numbers nodes 0, 1, 2, … in creation order): this walk runs at every redraw of a
  // growing tree, and Maps and Sets of 100,000 entries cost most of it.
  let maxId = rootNode.id;
  for (const id of shown) if (id > maxId) maxId = id;
  const included = new Uint8Array(maxId + 1);
  const childCount = new Int32Array(maxId + 1);
  const parentOf = new Int32Array(shown.length);
  included[rootNode.id] = 1;
  for (let i = 0; i < shown.length; i++) {
    const id = shown[i]!;
    parentOf[i] = -1;
    if (id === rootNode.id) continue;
    const parent = tree.nodes[id]?.parents[0];
    if (parent === undefined || parent > maxId || !included[parent]) continue;
    included[id] = 1;
    parentOf[i] = parent;
    childCount[parent]!++;
  }
  const firstChild = new Int32Array(maxId + 2);
  for (let id = 0; id <= maxId; id++) firstChild[id + 1] = firstChild[id]! + childCount[id]!;
  const filled = new Int32Array(maxId + 1);
  const childIds = new Int32Array(firstChild[maxId + 1]!);
  for (let i = 0; i < shown.length; i++) {
    const parent = parentOf[i]!;
    if (parent >= 0) childIds[firstChild[parent]! + filled[parent]!++] = shown[i]!;
  }
  const kidsOf = (id: number) => childIds.subarray(firstChild[id]!, firstChild[id + 1]!);
  // Subtree sizes, children before parents: creation order puts a parent before its children.
  const weight = new Int32Array(maxId + 1).fill(1);
  for (let i = shown.length - 1; i >= 0; i--) {
    const parent = parentOf[i]!;
    if (parent >= 0) weight[parent]! += weight[shown[i]!]!;
  }

  const make = (key: string, nodeId: number, parent: ViewNode | null, stub: boolean, hidden: number): ViewNode => {
    const v: ViewNode = { key, nodeId, stub, hidden, parent, children: [], depth: parent ? parent.depth + 1 : 0 };
    nodes.set(key, v);
    if (parent) parent.children.push(v);
    return v;
  };
  const isPrunedLeaf = (n: TreeNode) => n.status === 'pruned' && childCount[n.id] === 0;
  const root = make(`n${rootNode.id}`, rootNode.id, null, false, 0);
  const stack: ViewNode[] = [root];
  while (stack.length > 0) {
    const v = stack.pop()!;
    const kids = kidsOf(v.nodeId);
    if (kids.length === 0) continue;
    if (options.collapsed.has(v.nodeId)) {
      v.hidden = weight[v.nodeId]! - 1;
      continue;
    }
    const keep: TreeNode[] = [];
    const pruned: TreeNode[] = [];
    for (const id of kids) {
      const child = tree.nodes[id]!;
      if (isPrunedLeaf(child)) pruned.push(child);
      else keep.push(child);
    }
    // A replay shows every node as it arrived; the whole tree folds pruned leaves into stubs.
    const foldPruned =
      options.hidePruned ||
      (options.limit === null && pruned.length >= STUB_MIN && !options.expandedStubs.has(v.nodeId));
    const listed = foldPruned ? keep : keep.concat(pruned);
    if (listed.length > 1) listed.sort((a, b) => weight[b.id]! - weight[a.id]! || b.score - a.score || a.id - b.id);
    for (const child of listed) make(`n${child.id}`, child.id, v, false, 0);
    if (foldPruned && !options.hidePruned && pruned.length > 0) make(`s${v.nodeId}`, v.nodeId, v, true, pruned.length);
    // pushed in reverse so that the walk is pre-order in sibling order
    for (let i = v.children.length - 1; i >= 0; i--) if (!v.children[i]!.stub) stack.push(v.children[i]!);
  }
  return { root, nodes, size: nodes.size };
}
