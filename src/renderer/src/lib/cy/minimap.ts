import type { TreeCanvas } from './tree-canvas';

/**
 * An overview of the whole tree in a corner of its view: every drawn node as a dot, the visible part as
 * a rectangle; pressing or dragging on it moves the view there. Drawn on a plain 2D canvas from the
 * layout's positions (one fillRect per node), so it stays cheap at 100,000 nodes.
 */
export class Minimap {
  private bounds = { minX: 0, minY: 0, scale: 1, offX: 0, offY: 0 };
  /** the dots, drawn once per layout and copied under each viewport rectangle */
  private readonly dots = document.createElement('canvas');
  private hasDots = false;
  private dragging = false;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly tree: TreeCanvas,
  ) {
    const move = (event: PointerEvent) => {
      const r = canvas.getBoundingClientRect();
      this.centreOn(event.clientX - r.left, event.clientY - r.top);
    };
    canvas.addEventListener('pointerdown', (event) => {
      this.dragging = true;
      canvas.setPointerCapture(event.pointerId);
      move(event);
    });
    canvas.addEventListener('pointermove', (event) => {
      if (this.dragging) move(event);
    });
    canvas.addEventListener('pointerup', () => (this.dragging = false));
  }

  /** Redraws the dots (after the layout changed) and the viewport rectangle. */
  drawTree(): void {
    const ctx = this.dots.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.canvas;
    [this.dots.width, this.dots.height] = [width, height];
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (const p of this.tree.positions.values()) {
      minX = Math.min(minX, p.x);
      maxX = Math.max(maxX, p.x);
      minY = Math.min(minY, p.y);
      maxY = Math.max(maxY, p.y);
    }
    ctx.clearRect(0, 0, width, height);
    this.hasDots = Number.isFinite(minX);
    if (!this.hasDots) {
      this.canvas.getContext('2d')?.clearRect(0, 0, width, height);
      return;
    }
    const pad = 4;
    const scale = Math.min((width - 2 * pad) / Math.max(1, maxX - minX), (height - 2 * pad) / Math.max(1, maxY - minY));
    this.bounds = { minX, minY, scale, offX: pad, offY: pad };
    ctx.fillStyle = '#868e96';
    for (const p of this.tree.positions.values())
      ctx.fillRect(pad + (p.x - minX) * scale, pad + (p.y - minY) * scale, 1.5, 1.5);
    this.drawViewport();
  }

  /** Redraws the rectangle showing what the view shows. */
  drawViewport(): void {
    const ctx = this.canvas.getContext('2d');
    if (!ctx || !this.hasDots) return;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.drawImage(this.dots, 0, 0);
    const cy = this.tree.cy;
    const zoom = cy.zoom();
    const pan = cy.pan();
    const { minX, minY, scale, offX, offY } = this.bounds;
    const x = offX + (-pan.x / zoom - minX) * scale;
    const y = offY + (-pan.y / zoom - minY) * scale;
    ctx.strokeStyle = '#c2255c';
    ctx.lineWidth = 1.5;
    ctx.strokeRect(x, y, (cy.width() / zoom) * scale, (cy.height() / zoom) * scale);
  }

  private centreOn(px: number, py: number): void {
    const { minX, minY, scale, offX, offY } = this.bounds;
    const cy = this.tree.cy;
    const zoom = cy.zoom();
    const gx = (px * (this.canvas.width / this.canvas.clientWidth) - offX) / scale + minX;
    const gy = (py * (this.canvas.height / this.canvas.clientHeight) - offY) / scale + minY;
    this.tree.setView(zoom, { x: cy.width() / 2 - gx * zoom, y: cy.height() / 2 - gy * zoom });
  }
}
