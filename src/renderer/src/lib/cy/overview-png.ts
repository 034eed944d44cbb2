import { drawScene, type OverviewScene } from './overview-layer';

/** the longest side of an exported picture, in pixels (as for Cytoscape's own PNG export) */
const MAX_SIDE = 8000;
const PAD = 24;

/**
 * A big tree (drawn by the overview layer) as a PNG of the whole tree on white, the chosen path bold,
 * without hover or selection: twice the graph's size, or less when that would pass 8,000 pixels.
 */
export function overviewPng(scene: OverviewScene, chosen: number[]): Blob {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < scene.size; i++) {
    minX = Math.min(minX, scene.x[i]!);
    maxX = Math.max(maxX, scene.x[i]!);
    minY = Math.min(minY, scene.y[i]!);
    maxY = Math.max(maxY, scene.y[i]!);
  }
  const [w, h] = [maxX - minX + 2 * PAD, maxY - minY + 2 * PAD];
  const zoom = Math.min(2, MAX_SIDE / w, MAX_SIDE / h);
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(w * zoom));
  canvas.height = Math.max(1, Math.round(h * zoom));
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const pan = { x: (PAD - minX) * zoom, y: (PAD - minY) * zoom };
  drawScene(
    ctx,
    scene,
    { zoom, pan, width: canvas.width, height: canvas.height },
    { inCytoscape: null, chosen, hovered: [], selected: -1 },
    1,
  );
  const bytes = atob(canvas.toDataURL('image/png').split(',')[1]!);
  const data = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) data[i] = bytes.charCodeAt(i);
  return new Blob([data], { type: 'image/png' });
}
