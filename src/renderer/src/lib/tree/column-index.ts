/**
 * Finds drawn nodes by position in a left-to-right layout, where every node of a depth shares one x:
 * one column per depth with its nodes sorted by y, so a rectangle or a nearest-node query is a binary
 * search per column in view.
 */
export class ColumnIndex {
  private readonly columns: { ys: Float32Array; ids: Int32Array }[] = [];

  constructor(
    private readonly x: Float32Array,
    private readonly y: Float32Array,
    size: number,
    private readonly columnGap: number,
  ) {
    const members: number[][] = [];
    for (let i = 0; i < size; i++) {
      const c = this.columnOf(x[i]!);
      (members[c] ??= []).push(i);
    }
    for (let c = 0; c < members.length; c++) {
      const ids = Int32Array.from(members[c] ?? []).sort((a, b) => y[a]! - y[b]!);
      this.columns[c] = { ids, ys: Float32Array.from(ids, (i) => y[i]!) };
    }
  }

  private columnOf(x: number): number {
    return Math.max(0, Math.round(x / this.columnGap));
  }

  /** Entries inside the rectangle, or null as soon as there are more than `limit`. */
  inRect(x0: number, x1: number, y0: number, y1: number, limit: number): number[] | null {
    const found: number[] = [];
    const last = Math.min(this.columns.length - 1, Math.floor(x1 / this.columnGap + 0.5));
    for (let c = Math.max(0, Math.ceil(x0 / this.columnGap - 0.5)); c <= last; c++) {
      const column = this.columns[c]!;
      for (let k = lowerBound(column.ys, y0); k < column.ys.length && column.ys[k]! <= y1; k++) {
        const i = column.ids[k]!;
        if (this.x[i]! < x0 || this.x[i]! > x1) continue;
        if (found.length === limit) return null;
        found.push(i);
      }
    }
    return found;
  }

  /** The entry nearest to (px, py) within `radius`, or -1. */
  nearest(px: number, py: number, radius: number): number {
    let best = -1;
    let bestDistance = radius * radius;
    const candidates = this.inRect(px - radius, px + radius, py - radius, py + radius, Infinity) ?? [];
    for (const i of candidates) {
      const d = (this.x[i]! - px) ** 2 + (this.y[i]! - py) ** 2;
      if (d <= bestDistance) [best, bestDistance] = [i, d];
    }
    return best;
  }
}

function lowerBound(sorted: Float32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
