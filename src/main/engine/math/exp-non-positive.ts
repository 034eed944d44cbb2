/**
 * exp(x) for x ≤ 0 (the shifted logits of a log-softmax), within 2 ulp of Math.exp. Each evaluated row's
 * normaliser takes one exponential per vocabulary entry (50,257 for GPT-2). V8's Math.exp is a call into C++
 * that the optimiser cannot inline; this table-driven form inlines into the loop and takes under half its time.
 */

/** exp underflows to 0 in float64 below about -745.13 */
export const EXP_UNDERFLOW = -746;

// x = -(n/256)·ln2 + r with |r| ≤ ln2/512, and 2^(-n/256) = 2^-(n>>8) · 2^(-(n&255)/256): two small tables (the
// powers of two down to underflow, and 256 fractions) instead of one per step, and a short polynomial for e^r.
// ln2/256 is split in two (fdlibm's halves of ln 2) so that n·LN2_256_HI is exact.
const LN2_256_HI = 6.9314718036912382e-1 / 256;
const LN2_256_LO = 1.9082149292705877e-10 / 256;
const STEPS_PER_LN2 = 256 / Math.LN2;

/** 2^(-j/256) for j = 0 … 255 */
export const EXP_FRACTIONS = Float64Array.from({ length: 256 }, (_, j) => 2 ** (-j / 256));
/** 2^-k for k = 0 … 1077 (exact: powers of two, down through the subnormals to 0) */
export const EXP_POWERS_OF_TWO = Float64Array.from({ length: 1078 }, (_, k) => 2 ** -k);

export function expNonPositive(x: number): number {
  // -Infinity lands here too; NaN passes through the arithmetic and stays NaN
  if (x < EXP_UNDERFLOW) return 0;
  const n = (0.5 - x * STEPS_PER_LN2) | 0;
  const r = x + n * LN2_256_HI + n * LN2_256_LO;
  // Taylor series of e^r to degree 4: the remainder (|r|^5/5! < 4e-17) is under half an ulp
  const p = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r / 24)));
  return p * EXP_FRACTIONS[n & 255]! * EXP_POWERS_OF_TWO[n >> 8]!;
}
