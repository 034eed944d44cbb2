import type { TreeNode, TreeState } from '../../../../shared/tree';
import { pathTo } from '../../../../shared/tree-sync';

export { pathTo };

/**
 * A key naming a node by its token path from the root, equal across runs on the same prompt: hovering
 * a path in one view finds the same path in the others. Continuous thoughts have no token; they count
 * by position.
 */
export function tokenPathKey(tree: TreeState, nodeId: number): string {
  return pathTo(tree, nodeId)
    .map((id) => tree.nodes[id]!)
    .filter((n) => n.kind !== 'prompt')
    .map(tokenKey)
    .join(',');
}

function tokenKey(node: TreeNode): string {
  return node.tokenId === null ? 't' : String(node.tokenId);
}

/** The child ids of every node along first parents, in creation order. */
export function childrenOf(tree: TreeState): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const id of tree.order) {
    const parent = tree.nodes[id]?.parents[0];
    if (parent === undefined) continue;
    let list = children.get(parent);
    if (!list) children.set(parent, (list = []));
    list.push(id);
  }
  return children;
}

/** The node reached by an arrow key from `nodeId`: parent, best child, or the previous / next sibling. */
export function stepFrom(tree: TreeState, children: Map<number, number[]>, nodeId: number, key: string): number | null {
  const node = tree.nodes[nodeId];
  if (!node) return null;
  if (key === 'ArrowLeft') return node.parents[0] ?? null;
  if (key === 'ArrowRight') {
    const kids = children.get(nodeId) ?? [];
    let best: number | null = null;
    for (const k of kids) if (best === null || tree.nodes[k]!.score > tree.nodes[best]!.score) best = k;
    return best;
  }
  if (key === 'ArrowUp' || key === 'ArrowDown') {
    const parent = node.parents[0];
    if (parent === undefined) return null;
    const siblings = children.get(parent) ?? [];
    const i = siblings.indexOf(nodeId) + (key === 'ArrowUp' ? -1 : 1);
    return siblings[i] ?? null;
  }
  return null;
}

/** The node of `tree` whose token path has the key `key` (see tokenPathKey), or null. */
export function nodeForKey(tree: TreeState, children: Map<number, number[]>, key: string): number | null {
  if (!tree.nodes[tree.rootId]) return null;
  let current = tree.rootId;
  if (key === '') return current;
  for (const part of key.split(',')) {
    const next = (children.get(current) ?? []).find((id) => {
      const node = tree.nodes[id]!;
      return part === 't' ? node.tokenId === null : node.tokenId === Number(part);
    });
    if (next === undefined) return null;
    current = next;
  }
  return current;
}
