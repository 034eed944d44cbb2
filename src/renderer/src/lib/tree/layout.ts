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
export function layoutTree(tree: TreeState, visible?: (id: number) => boolean, aspect?: number): Map<number, Point> {
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
  // A shallow, bushy tree (thousands of samples a few tokens deep) would be a thin vertical line at the
  // fixed column gap: spread the depths so the drawing's proportions approach the view's (`aspect` = w/h).
  let top = 0;
  let bottom = 0;
  let depth = 0;
  laidOut.each((n) => {
    top = Math.min(top, n.x);
    bottom = Math.max(bottom, n.x);
    depth = Math.max(depth, n.depth);
  });
  const gap = aspect && depth > 0 ? Math.max(COLUMN_GAP, Math.min(COLUMN_GAP * 20, ((bottom - top) * aspect) / depth)) : COLUMN_GAP;
  laidOut.each((n) => positions.set(n.data.id, { x: n.depth * gap, y: n.x }));
  return positions;
}
