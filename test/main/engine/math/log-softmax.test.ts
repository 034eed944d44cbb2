import { describe, expect, it } from 'vitest';
import {
  entropyOf,
  logSoftmax,
  logSoftmaxWithEntropy,
  logSoftmaxNorm,
  logSumExp,
  topIndices,
  topTokenIds,
} from '../../../../src/main/engine/math/log-softmax';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

describe('math', () => {
  it('topIndices equals a full sort (value descending, index ascending), ties and -Infinity included', () => {
    const random = new SeededRandom(5);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random.next() * 40);
      const values = Array.from({ length: n }, () => (random.next() < 0.1 ? -Infinity : Math.floor(random.next() * 6)));
      const k = Math.floor(random.next() * (n + 3));
      const expected = [...values.keys()]
        .filter((i) => values[i]! > -Infinity)
        .sort((a, b) => values[b]! - values[a]! || a - b)
        .slice(0, k);
      expect(topIndices(values, k)).toEqual(expected);
    }
  });

  it('topIndices with offsets ranks as the written-out differences would, ties made by rounding included', () => {
    const random = new SeededRandom(8);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(random.next() * 60);
      // float32 logits on a coarse grid, offsets of any size: subtracting them rounds neighbours into ties
      const values = Float32Array.from({ length: n }, () => Math.round(random.next() * 50) / 8 + random.next() * 1e-6);
      const minus = random.next() * 10 ** Math.floor(random.next() * 18);
      const minus2 = random.next() * 20;
      const shifted = [...values].map((v) => v - minus - minus2);
      const k = Math.floor(random.next() * (n + 2));
      const expected = [...shifted.keys()].sort((a, b) => shifted[b]! - shifted[a]! || a - b).slice(0, k);
      expect(topIndices(values, k, minus, minus2)).toEqual(expected);
    }
  });

  it('log-softmax normalises, entropy of uniform is log n', () => {
    const lp = logSoftmax([1, 2, 3, 4]);
    expect(logSumExp(lp)).toBeCloseTo(0, 12);
    expect(lp[3]! - lp[0]!).toBeCloseTo(3, 12);
    expect(entropyOf(logSoftmax([0, 0, 0, 0]))).toBeCloseTo(Math.log(4), 12);
    expect(logSumExp([-Infinity, -Infinity])).toBe(-Infinity);
    for (const logits of [
      [1, 2, 3, 4],
      [0, -Infinity, 5, 5],
      [-30, 10, 9.5],
    ]) {
      const both = logSoftmaxWithEntropy(logits);
      const plain = logSoftmax(logits);
      plain.forEach((x, i) =>
        x === -Infinity ? expect(both.logprobs[i]).toBe(-Infinity) : expect(both.logprobs[i]).toBeCloseTo(x, 12),
      );
      expect(both.entropy).toBeCloseTo(entropyOf(logSoftmax(logits)), 12);
    }
  });

  it("the top token read from the normaliser's maximum equals topIndices', ties, tiny maxima, NaN and ±Infinity included", () => {
    const random = new SeededRandom(13);
    let read = 0;
    for (let trial = 0; trial < 2000; trial++) {
      const n = 1 + Math.floor(random.next() * 50);
      const scale = 10 ** (Math.floor(random.next() * 22) - 20);
      const logits = Float32Array.from({ length: n }, () => {
        const u = random.next();
        if (u < 0.02) return NaN;
        if (u < 0.05) return -Infinity;
        if (u < 0.06) return Infinity;
        // a coarse grid makes equal maxima; a tiny scale makes logits closer than the normaliser's rounding
        return (Math.round(random.next() * 12) - 6) * scale;
      });
      const d = { logits, ...logSoftmaxNorm(logits) };
      const expected = topIndices(logits, 1, d.max, d.logSum);
      expect(topTokenIds(d, 1)).toEqual(expected);
      if (Number.isFinite(d.logSum) && Math.abs(d.max) >= 2 ** -20) read++;
    }
    // both paths ran: the shortcut and the full scan
    expect(read).toBeGreaterThan(200);
    expect(read).toBeLessThan(1800);
  });
});
