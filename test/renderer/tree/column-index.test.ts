import { describe, expect, it } from 'vitest';
import { ColumnIndex } from '../../../src/renderer/src/lib/tree/column-index';
import { seeded } from '../tree-fixtures';

const GAP = 100;

/** points on columns x = k·GAP at random heights, and the brute-force answers to compare with */
function points(n: number, seed: number) {
  const random = seeded(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = Math.floor(random() * 20) * GAP;
    y[i] = Math.round(random() * 5000);
  }
  return { x, y };
}

describe('ColumnIndex', () => {
  it('finds exactly the points inside a rectangle, and gives up past the limit', () => {
    const { x, y } = points(3000, 7);
    const index = new ColumnIndex(x, y, x.length, GAP);
    const random = seeded(8);
    for (let k = 0; k < 50; k++) {
      const [x0, y0] = [random() * 2000 - 100, random() * 5000 - 100];
      const [x1, y1] = [x0 + random() * 800, y0 + random() * 1500];
      const expected = [...x.keys()].filter((i) => x[i]! >= x0 && x[i]! <= x1 && y[i]! >= y0 && y[i]! <= y1);
      expect(index.inRect(x0, x1, y0, y1, Infinity)!.sort((a, b) => a - b)).toEqual(expected);
      if (expected.length > 0) expect(index.inRect(x0, x1, y0, y1, expected.length - 1)).toBeNull();
    }
  });

  it('finds the nearest point within a radius, or none', () => {
    const { x, y } = points(2000, 9);
    const index = new ColumnIndex(x, y, x.length, GAP);
    const random = seeded(10);
    for (let k = 0; k < 100; k++) {
      const [px, py, radius] = [random() * 2000, random() * 5000, 5 + random() * 60];
      let best = -1;
      let bestD = radius * radius;
      for (let i = 0; i < x.length; i++) {
        const d = (x[i]! - px) ** 2 + (y[i]! - py) ** 2;
        if (d <= bestD) [best, bestD] = [i, d];
      }
      const found = index.nearest(px, py, radius);
      // ties at equal distance may pick either point
      if (best < 0) expect(found).toBe(-1);
      else expect((x[found]! - px) ** 2 + (y[found]! - py) ** 2).toBeCloseTo(bestD, 6);
    }
  });
});
