/**
 * Paces a view's redraws while its tree changes: at most once per frame, for big trees less often (every
 * size/20 ms, half a second at 10,000 nodes), and never more often than twice a redraw's own cost, so a
 * fast patch stream leaves the page most of its time for input. Changes that arrive in between are
 * coalesced: the next redraw takes the tree as it is then.
 */
export class RedrawPacer {
  private frame = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private lastDraw = 0;
  private cost = 0;

  constructor(private readonly redraw: () => void) {}

  /** How long (ms) the next redraw of a tree of `size` nodes waits, `sinceLast` ms after a redraw that took `cost` ms. */
  static wait(size: number, cost: number, sinceLast: number): number {
    return Math.max(0, Math.max(2 * cost, Math.min(500, size / 20)) - sinceLast);
  }

  request(size: number): void {
    if (this.frame || this.timer) return;
    const wait = RedrawPacer.wait(size, this.cost, performance.now() - this.lastDraw);
    if (wait <= 16) this.frame = requestAnimationFrame(() => this.run());
    else
      this.timer = setTimeout(() => {
        this.timer = null;
        this.frame = requestAnimationFrame(() => this.run());
      }, wait);
  }

  private run(): void {
    this.frame = 0;
    const started = performance.now();
    this.redraw();
    this.lastDraw = performance.now();
    this.cost = this.lastDraw - started;
  }

  stop(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.timer) clearTimeout(this.timer);
    this.frame = 0;
    this.timer = null;
  }
}
