import type { Point } from '../tree/layout';

export interface Viewport {
  zoom: number;
  pan: { x: number; y: number };
}

/** a viewport and the size of the view it belongs to, in screen pixels */
export interface SizedViewport extends Viewport {
  width: number;
  height: number;
}

/** padding around a fitted tree, in screen pixels */
const PAD = 24;
/** room for the label of the last column and the stubs' "+k pruned" beside their node */
const LABEL_ROOM = 70;
/** room for the labels above the top row */
const LABEL_ABOVE = 16;

/**
 * The viewport that fits `points` (layout positions) into a view of `width` × `height` pixels, zoomed no
 * further in than `ceiling` and no further out than `floor`. When the floor keeps the tree bigger than the
 * view, the top-left corner (the root and its row) stays in view and the rest scrolls; otherwise the tree
 * is centred.
 */
export function fitViewport(
  points: Iterable<Point>,
  width: number,
  height: number,
  floor: number,
  ceiling: number,
): Viewport | null {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (const p of points) {
    minX = Math.min(minX, p.x);
    maxX = Math.max(maxX, p.x);
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  if (!Number.isFinite(minX)) return null;
  minY -= LABEL_ABOVE;
  const treeWidth = maxX - minX + LABEL_ROOM;
  const treeHeight = maxY - minY;
  const fitted = Math.min(ceiling, (width - 2 * PAD) / treeWidth, (height - 2 * PAD) / treeHeight);
  const zoom = Math.max(floor, fitted);
  const fits = zoom * treeWidth <= width - 2 * PAD + 1 && zoom * treeHeight <= height - 2 * PAD + 1;
  const x = fits ? (width - treeWidth * zoom) / 2 - minX * zoom : PAD - minX * zoom;
  const y = fits ? (height - treeHeight * zoom) / 2 - minY * zoom : PAD - minY * zoom;
  return { zoom, pan: { x, y } };
}

/** The viewport's area in graph units, widened by `margin` view sizes on every side. */
export function visibleRect(view: SizedViewport, margin = 0): { x0: number; x1: number; y0: number; y1: number } {
  const { zoom, pan } = view;
  const [w, h] = [view.width / zoom, view.height / zoom];
  const [left, top] = [-pan.x / zoom, -pan.y / zoom];
  return { x0: left - margin * w, x1: left + w + margin * w, y0: top - margin * h, y1: top + h + margin * h };
}
