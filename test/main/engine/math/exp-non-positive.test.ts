import { describe, expect, it } from 'vitest';
import { EXP_UNDERFLOW, expNonPositive } from '../../../../src/main/engine/math/exp-non-positive';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

const ULP_AT_ONE = 2 ** -52;

describe('expNonPositive', () => {
  it('is within 2 ulp of Math.exp down to the smallest normal numbers', () => {
    const random = new SeededRandom(11);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) {
      // half the samples where logits usually sit (a few nats below the maximum), half down to e^-700
      const x = -random.next() * (i % 2 === 0 ? 30 : 700);
      const exact = Math.exp(x);
      worst = Math.max(worst, Math.abs(expNonPositive(x) - exact) / exact / ULP_AT_ONE);
    }
    expect(worst).toBeLessThanOrEqual(2);
    expect(worst).toBeGreaterThan(0);
  });

  it('is exact at 0, 0 below underflow and at -Infinity, and keeps NaN', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-Math.LN2)).toBe(0.5);
    expect(expNonPositive(-10 * Math.LN2)).toBe(2 ** -10);
    expect(expNonPositive(EXP_UNDERFLOW - 1)).toBe(0);
    expect(expNonPositive(-Infinity)).toBe(0);
    expect(expNonPositive(NaN)).toBeNaN();
    // the subnormal tail just above underflow stays close to Math.exp in absolute terms
    expect(Math.abs(expNonPositive(-740) - Math.exp(-740))).toBeLessThan(1e-320);
  });
});
