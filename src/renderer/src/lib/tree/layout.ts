import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import type { TreeState } from '../../../../shared/tree';

export interface Point {
  x: number;
  y: number;
}

/** Vertical distance between neighbouring leaves and horizontal distance between depths, in model units. */
export const ROW_GAP = 22;
export const COLUMN_GAP = 90;

interface LayoutNode {
  id: number;
  children: LayoutNode[];
}

/**
 * Left-to-right tidy layout (Reingold–Tilford as improved by Buchheim et al., d3-hierarchy's `tree()`,
 * O(n)) of the tree of first parents; a lattice's other parents are drawn as extra edges over it.
 * Recomputed whole as nodes arrive: linear time keeps that cheap at 10,000 nodes, and a tidy layout
 * moves existing nodes only as much as new ones need.
 */
export function layoutTree(tree: TreeState, visible?: (id: number) => boolean): Map<number, Point> {
  const positions = new Map<number, Point>();
  const root = tree.nodes[tree.rootId];
  if (!root) return positions;
  const nodes = new Map<number, LayoutNode>();
  const rootNode: LayoutNode = { id: root.id, children: [] };
  nodes.set(root.id, rootNode);
  for (const id of tree.order) {
    if (id === root.id || (visible && !visible(id))) continue;
    const parentId = tree.nodes[id]?.parents[0];
    const parent = parentId === undefined ? undefined : nodes.get(parentId);
    if (!parent) continue;
    const node: LayoutNode = { id, children: [] };
    parent.children.push(node);
    nodes.set(id, node);
  }
  const laidOut = tidyTree<LayoutNode>().nodeSize([ROW_GAP, COLUMN_GAP])(
    hierarchy(rootNode, (n) => (n.children.length > 0 ? n.children : null)),
  );
  laidOut.each((n) => positions.set(n.data.id, { x: n.y, y: n.x }));
  return positions;
}
