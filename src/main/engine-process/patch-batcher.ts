import type { Patch } from 'immer';

/**
 * Collects immer patches and hands them on at most once per `intervalMs` (the renderer and the IPC
 * channel need not see every search step; ~30 messages a second keeps both responsive). A timer
 * flushes what is left when steps stop arriving; `flush()` forces it (before a run's end).
 */
export class PatchBatcher {
  private pending: Patch[] = [];
  private lastFlush = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly send: (patches: Patch[]) => void,
    private readonly intervalMs = 33,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(patches: readonly Patch[]): void {
    for (const p of patches) this.pending.push(p);
    if (this.now() - this.lastFlush >= this.intervalMs) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.lastFlush = this.now();
    this.send(batch);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = [];
  }
}
