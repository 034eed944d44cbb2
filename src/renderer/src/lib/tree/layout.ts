import { tidyLayout } from './tidy-tree';
import type { ViewNode } from './view-tree';

export interface Point {
  x: number;
  y: number;
}

/**
 * Fixed spacing in graph units, never stretched to a view's shape: a token label (up to 12 characters,
 * drawn above its node) fits between two depths, and a label and its node fit between two rows.
 */
export const ROW_GAP = 30;
export const COLUMN_GAP = 100;
/** between neighbours with different parents, a little more than between siblings */
const COUSIN_SEPARATION = 1.25;

/**
 * Left-to-right tidy layout of the drawn tree (view-tree.ts: first parents, stubs, folds): depth sets x,
 * the tidy layout sets y. A lattice's other parents are drawn as extra edges over it. Linear time, so
 * recomputing it whole as nodes arrive stays cheap.
 */
export function layoutView(root: ViewNode | null): Map<string, Point> {
  const positions = new Map<string, Point>();
  if (!root) return positions;
  const rows = tidyLayout(root, (a, b) => (a.parent === b.parent ? 1 : COUSIN_SEPARATION));
  for (const [v, row] of rows) positions.set(v.key, { x: v.depth * COLUMN_GAP, y: row * ROW_GAP });
  return positions;
}
