import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BYTES_FILE, bytesModuleText, compileLogitRows } from '../../../../scripts/wasm/build-logit-rows';
import { scalarSums, logSoftmaxNorm, topIndices } from '../../../../src/main/engine/math/log-softmax';
import { float32RowScan, normaliserSumsFloat32 } from '../../../../src/main/engine/math/logit-rows-wasm';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

function seededRandom(seed: number): () => number {
  const stream = new SeededRandom(seed);
  return () => stream.next();
}

/** The WebAssembly sums next to the scalar loop's, field by field: the same doubles, sign of zero included. */
function expectSameSums(logits: Float32Array) {
  const simd = normaliserSumsFloat32(logits);
  expect(simd).not.toBeNull();
  const scalar = scalarSums(logits);
  for (const field of ['max', 'maxAt', 'sum', 'weighted'] as const) {
    if (!Object.is(simd![field], scalar[field]))
      throw new Error(`${field}: ${simd![field]} against ${scalar[field]} (length ${logits.length})`);
  }
}

function randomLogits(random: () => number, length: number, spread: number): Float32Array {
  return Float32Array.from({ length }, () => (random() - 0.5) * spread);
}

describe('normaliser in WebAssembly SIMD', () => {
  it('is the build of logit-rows.wat (npm run build:wasm after editing it)', async () => {
    expect(fs.readFileSync(BYTES_FILE, 'utf8')).toBe(bytesModuleText(await compileLogitRows()));
  });

  it('gives the scalar loop’s max, first index of the max, and both sums bit for bit', () => {
    const random = seededRandom(11);
    // every length up to 40 covers both loops' tails (four at a time for the max, two for the sums)
    for (let length = 0; length <= 40; length++) {
      for (const spread of [1e-6, 1, 12, 200, 3000]) expectSameSums(randomLogits(random, length, spread));
    }
    for (const length of [1181, 50257]) {
      for (const spread of [1, 12, 200, 3000]) expectSameSums(randomLogits(random, length, spread));
    }
  });

  it('agrees on the values at the edges: infinities, NaN, signed zeros, ties, underflow', () => {
    const random = seededRandom(5);
    const cases: Float32Array[] = [];
    const base = () => randomLogits(random, 37, 10);
    // a tie for the max: the first index wins
    const tie = base();
    tie[3] = tie[30] = 50;
    cases.push(tie);
    // -0 before +0 as the max: the scalar scan keeps the first, and so the -0
    cases.push(Float32Array.from([-3, -0, 0, -1, 0]), Float32Array.from([0, -0, -2]));
    const minusInf = base();
    minusInf[5] = minusInf[6] = -Infinity;
    cases.push(minusInf);
    const nan = base();
    nan[8] = NaN;
    cases.push(nan);
    const plusInf = base();
    plusInf[9] = Infinity;
    cases.push(plusInf);
    cases.push(new Float32Array(9).fill(-Infinity), Float32Array.from([NaN, -Infinity, NaN]), new Float32Array(0));
    // shifted values at and around the underflow bound (-746) and through the subnormal range (-708 … -745)
    const deep = Float32Array.from({ length: 64 }, (_, i) => -700 - i * 0.75);
    deep[0] = 0;
    cases.push(deep, Float32Array.from([0, -746, -745.9999, -746.0001, -745.13, -708.4, -708.39]));
    // float32's extremes
    cases.push(Float32Array.from([3.4e38, -3.4e38, 1e-45, -1e-45, 0]));
    for (const logits of cases) expectSameSums(logits);
  });

  it('grows its memory for a row larger than it holds, and still agrees', () => {
    expectSameSums(randomLogits(seededRandom(2), 300_001, 20));
  });

  it('is what logSoftmaxNorm uses for float32 logits, and gives what it gives for the same numbers as float64', () => {
    const logits = randomLogits(seededRandom(9), 50257, 16);
    const wide = Float64Array.from(logits);
    expect(logSoftmaxNorm(logits)).toEqual(logSoftmaxNorm(wide));
    const { sum, weighted } = scalarSums(wide);
    expect(logSoftmaxNorm(logits).logSum).toBe(Math.log(sum));
    expect(logSoftmaxNorm(logits).entropy).toBe(Math.log(sum) - weighted / sum);
  });
});

describe('top-k scan in WebAssembly SIMD', () => {
  it('stops at the first entry not at or below the threshold, NaN included, and at the end when there is none', () => {
    const row = Float32Array.from({ length: 4101 }, (_, i) => -(i % 97));
    row[4000] = 0.5;
    row[4100] = NaN;
    const next = float32RowScan(row)!;
    expect(next(0, -Infinity)).toBe(0);
    expect(next(1, 0)).toBe(4000);
    expect(next(4001, 0)).toBe(4100);
    expect(next(0, 1)).toBe(4100);
    expect(next(4101, 0)).toBe(4101);
    // compared in double precision: a float32 entry just above a double threshold between two float32 values
    const tight = new Float32Array(4096).fill(-1);
    tight[3001] = Math.fround(0.1);
    expect(float32RowScan(tight)!(0, Math.fround(0.1) - 1e-12)).toBe(3001);
    expect(float32RowScan(tight)!(0, Math.fround(0.1))).toBe(4096);
  });

  it('leaves topIndices choosing exactly what it chooses without it (the same values as float64)', () => {
    const random = seededRandom(21);
    for (let trial = 0; trial < 60; trial++) {
      const length = [4096, 5001, 50257][trial % 3]!;
      // few distinct values: ties everywhere, which the lower index must win
      const levels = [3, 40, 100000][trial % 3]!;
      const row = Float32Array.from({ length }, () => Math.floor(random() * levels) / 7 - 3);
      if (trial % 4 === 1) for (let i = 0; i < 20; i++) row[Math.floor(random() * length)] = -Infinity;
      if (trial % 4 === 2) for (let i = 0; i < 3; i++) row[Math.floor(random() * length)] = NaN;
      if (trial % 5 === 3) row[Math.floor(random() * length)] = Infinity;
      const wide = Float64Array.from(row);
      const { max, logSum } = logSoftmaxNorm(row);
      for (const k of [1, 8, 16, 64]) {
        for (const floor of [-Infinity, -2.5, 0.5, 10]) {
          const expected = topIndices(wide, k, max, logSum, floor);
          expect(topIndices(row, k, max, logSum, floor)).toEqual(expected);
          expect(topIndices(row, k, 0, 0, floor)).toEqual(topIndices(wide, k, 0, 0, floor));
        }
      }
    }
  });
});
