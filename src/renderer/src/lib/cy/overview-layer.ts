import type { SizedViewport } from './fit-view';

/** Flags of one drawn thing in an overview scene. */
export const PRUNED = 1;
export const STUB = 2;
export const STEERED = 4;
export const PROMPT = 8;

/**
 * A big tree as flat arrays, index-aligned: what the overview layer draws without one Cytoscape element
 * per node. Parents come before their children.
 */
export interface OverviewScene {
  size: number;
  x: Float32Array;
  y: Float32Array;
  /** index of the first parent's entry; -1 for the root */
  parent: Int32Array;
  /** index into `palette` of each node's colour */
  shade: Uint8Array;
  flags: Uint8Array;
  /** a lattice's other parents: pairs of entries (parent, child), flattened */
  latticeEdges: Int32Array;
  palette: readonly string[];
  /** what a node's label says (only asked for the nodes in view, when labels are drawn) */
  labelOf?: (i: number) => string;
}

export interface OverviewMarks {
  /** entries Cytoscape draws right now (the overview leaves them out) */
  inCytoscape: Uint8Array | null;
  /** entries on the chosen path, root first */
  chosen: number[];
  /** entries on the hovered path, root first */
  hovered: number[];
  selected: number;
  /** draw token labels (zoomed in far enough to read them) */
  labels?: boolean;
}

/** labels drawn at most per frame: past this many in view they could not be read anyway */
const LABELS_MAX = 1500;
/** Cytoscape's label font (style.ts), so a growing tree looks the same before Cytoscape takes it over */
const LABEL_FONT = '11px sans-serif';

/** Node squares in screen pixels: Cytoscape's 12 px nodes at zoom 1, never smaller than a visible dot. */
const nodePixels = (zoom: number) => Math.min(12, Math.max(2, 12 * zoom));

/**
 * Draws a tree too big for one Cytoscape element per node onto a plain 2D canvas under Cytoscape's own:
 * edges as one path, nodes as squares batched by shade, then the chosen and hovered paths on top. Only
 * what lies in the viewport is drawn, and nothing Cytoscape already holds, so a 40,000-node drawing
 * redraws within a frame or two.
 */
export class OverviewLayer {
  readonly canvas: HTMLCanvasElement;
  private scene: OverviewScene | null = null;

  constructor(host: HTMLElement) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'overview-layer';
    Object.assign(this.canvas.style, {
      position: 'absolute',
      left: '0',
      top: '0',
      width: '100%',
      height: '100%',
      pointerEvents: 'none',
      zIndex: '0',
    });
    host.prepend(this.canvas);
  }

  setScene(scene: OverviewScene | null): void {
    this.scene = scene;
  }

  draw(view: SizedViewport, marks: OverviewMarks): void {
    const ratio = window.devicePixelRatio || 1;
    const [w, h] = [Math.round(view.width * ratio), Math.round(view.height * ratio)];
    if (this.canvas.width !== w || this.canvas.height !== h) [this.canvas.width, this.canvas.height] = [w, h];
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, w, h);
    if (this.scene) drawScene(ctx, this.scene, view, marks, ratio);
  }
}

/** Draws `scene` as seen through `view` (ratio: device pixels per CSS pixel). */
export function drawScene(
  ctx: CanvasRenderingContext2D,
  scene: OverviewScene,
  view: SizedViewport,
  marks: OverviewMarks,
  ratio: number,
): void {
  const { zoom, pan } = view;
  ctx.setTransform(ratio * zoom, 0, 0, ratio * zoom, ratio * pan.x, ratio * pan.y);
  // the viewport in graph units, with a node's width to spare
  const margin = 12;
  const x0 = -pan.x / zoom - margin;
  const x1 = (view.width - pan.x) / zoom + margin;
  const y0 = -pan.y / zoom - margin;
  const y1 = (view.height - pan.y) / zoom + margin;
  const { x, y, parent, flags } = scene;
  const held = marks.inCytoscape;
  const visible = (i: number) => x[i]! >= x0 && x[i]! <= x1 && y[i]! >= y0 && y[i]! <= y1;
  const onePixel = 1 / zoom;

  // edges: one path per look (kept; pruned and stubs, fainter; grown under an intervention, teal)
  const edgeLook = (i: number) => (flags[i]! & STEERED ? 2 : flags[i]! & (PRUNED | STUB) ? 1 : 0);
  const edgeStyles = ['#adb5bd', 'rgba(173,181,189,0.55)', '#0ca678'];
  edgeStyles.forEach((style, look) => {
    ctx.beginPath();
    for (let i = 0; i < scene.size; i++) {
      const p = parent[i]!;
      if (p < 0 || edgeLook(i) !== look) continue;
      if (held && held[i] && held[p]) continue;
      const xa = x[p]!;
      const xb = x[i]!;
      if (xb < x0 || xa > x1) continue;
      const ya = y[p]!;
      const yb = y[i]!;
      if ((ya < y0 && yb < y0) || (ya > y1 && yb > y1)) continue;
      ctx.moveTo(xa, ya);
      ctx.lineTo(xb, yb);
    }
    ctx.lineWidth = look === 2 ? 2 * onePixel : onePixel;
    ctx.strokeStyle = style;
    ctx.stroke();
  });

  // a lattice's merges: the states' other parents, dashed
  const lattice = scene.latticeEdges;
  if (lattice.length > 0) {
    ctx.beginPath();
    for (let k = 0; k < lattice.length; k += 2) {
      const [a, b] = [lattice[k]!, lattice[k + 1]!];
      if ((held && held[a] && held[b]) || (!visible(a) && !visible(b))) continue;
      ctx.moveTo(x[a]!, y[a]!);
      ctx.lineTo(x[b]!, y[b]!);
    }
    ctx.setLineDash([4 * onePixel, 3 * onePixel]);
    ctx.lineWidth = 1.5 * onePixel;
    ctx.strokeStyle = '#7048e8';
    ctx.stroke();
    ctx.setLineDash([]);
  }

  // nodes: squares batched by shade (pruned ones faded), stubs grey, the prompt dark
  const side = nodePixels(zoom) / zoom;
  const half = side / 2;
  const { palette } = scene;
  // dots while small, Cytoscape's round nodes once big enough to tell apart (stubs stay square)
  const round = side * zoom >= 6;
  const shape = (i: number) => {
    if (!round || flags[i]! & (STUB | PROMPT)) ctx.rect(x[i]! - half, y[i]! - half, side, side);
    else {
      ctx.moveTo(x[i]! + half, y[i]!);
      ctx.arc(x[i]!, y[i]!, half, 0, 2 * Math.PI);
    }
  };
  const SHADES = palette.length;
  const buckets: number[][] = Array.from({ length: SHADES * 2 + 2 }, () => []);
  for (let i = 0; i < scene.size; i++) {
    if ((held && held[i]) || !visible(i)) continue;
    const f = flags[i]!;
    const bucket = f & STUB ? SHADES * 2 : f & PROMPT ? SHADES * 2 + 1 : scene.shade[i]! + (f & PRUNED ? SHADES : 0);
    buckets[bucket]!.push(i);
  }
  buckets.forEach((members, bucket) => {
    if (members.length === 0) return;
    ctx.globalAlpha = bucket >= SHADES && bucket < SHADES * 2 ? 0.4 : 1;
    ctx.fillStyle =
      bucket === SHADES * 2 ? '#ced4da' : bucket === SHADES * 2 + 1 ? '#495057' : palette[bucket % SHADES]!;
    ctx.beginPath();
    for (const i of members) shape(i);
    ctx.fill();
  });
  ctx.globalAlpha = 1;
  // at a zoom where squares are big enough to have one, an outline (the palette's yellow end vanishes on white)
  if (side * zoom >= 6) {
    ctx.lineWidth = onePixel;
    ctx.strokeStyle = '#343a40';
    ctx.beginPath();
    for (const members of buckets) for (const i of members) shape(i);
    ctx.stroke();
  }
  if (marks.labels && scene.labelOf) drawLabels(ctx, scene, buckets, half, onePixel);

  drawPath(ctx, scene, marks.chosen, '#1f2430', 3 * onePixel, held);
  drawPath(ctx, scene, marks.hovered, '#fa5252', 3 * onePixel, held);
  if (marks.selected >= 0 && !(held && held[marks.selected])) {
    const i = marks.selected;
    ctx.lineWidth = 3 * onePixel;
    ctx.strokeStyle = '#c2255c';
    ctx.strokeRect(x[i]! - half - 2 * onePixel, y[i]! - half - 2 * onePixel, side + 4 * onePixel, side + 4 * onePixel);
  }
}

/** A path (root first) drawn bold, except the stretches Cytoscape draws itself. */
function drawPath(
  ctx: CanvasRenderingContext2D,
  scene: OverviewScene,
  path: number[],
  color: string,
  width: number,
  held: Uint8Array | null,
): void {
  if (path.length < 2) return;
  ctx.beginPath();
  for (let k = 1; k < path.length; k++) {
    const [a, b] = [path[k - 1]!, path[k]!];
    if (held && held[a] && held[b]) continue;
    ctx.moveTo(scene.x[a]!, scene.y[a]!);
    ctx.lineTo(scene.x[b]!, scene.y[b]!);
  }
  ctx.lineWidth = width;
  ctx.strokeStyle = color;
  ctx.stroke();
}

/** Token labels above their nodes on a white halo (stubs' "+k pruned" beside theirs), as Cytoscape draws them. */
function drawLabels(
  ctx: CanvasRenderingContext2D,
  scene: OverviewScene,
  buckets: number[][],
  half: number,
  onePixel: number,
): void {
  const shown = buckets.flat();
  if (shown.length > LABELS_MAX) return;
  ctx.font = LABEL_FONT;
  ctx.lineJoin = 'round';
  ctx.lineWidth = 3 * onePixel;
  ctx.strokeStyle = 'rgba(255,255,255,0.85)';
  ctx.fillStyle = '#1f2430';
  for (const i of shown) {
    const text = scene.labelOf!(i);
    const stub = (scene.flags[i]! & STUB) !== 0;
    ctx.textAlign = stub ? 'left' : 'center';
    ctx.textBaseline = stub ? 'middle' : 'bottom';
    const [tx, ty] = stub ? [scene.x[i]! + half + 3, scene.y[i]!] : [scene.x[i]!, scene.y[i]! - half - 2];
    ctx.strokeText(text, tx, ty);
    ctx.fillText(text, tx, ty);
  }
}
