import { EXP_UNDERFLOW, expNonPositive } from './exp-non-positive';
import { float32RowScan, normaliserSumsFloat32, type NormaliserSums } from './logit-rows-wasm';

/** log Σ exp(x), stable; -Infinity for an empty or all -Infinity input. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += expNonPositive(values[i]! - max);
  return max + Math.log(sum);
}

export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const max = Math.max(a, b);
  return max + Math.log(Math.exp(a - max) + Math.exp(b - max));
}

/** Log-probabilities from logits, in float64 so that sums over long paths stay exact enough for the oracles. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  const norm = logSumExp(logits);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - norm;
  return out;
}

/**
 * A next-token distribution as its logits and their normaliser: log-probability i is exactly
 * `logits[i] - max - logSum`, so a search can read the few it needs without writing the whole vocabulary out.
 */
export interface LogitDistribution {
  logits: ArrayLike<number>;
  max: number;
  /** log Σ exp(logits - max) */
  logSum: number;
  /** the first index holding `max`, when the normaliser recorded it */
  maxAt?: number;
}

/** The normaliser of a distribution and its entropy (nats), in one pass of exponentials. */
export function logSoftmaxNorm(logits: ArrayLike<number>): {
  max: number;
  maxAt: number;
  logSum: number;
  entropy: number;
} {
  const sums = (logits instanceof Float32Array && normaliserSumsFloat32(logits)) || scalarSums(logits);
  const logSum = Math.log(sums.sum);
  // H = -Σ p (x - max - log Σ) = log Σ - Σ e (x - max) / Σ
  return { max: sums.max, maxAt: sums.maxAt, logSum, entropy: logSum - sums.weighted / sums.sum };
}

/** The normaliser's sums one entry at a time (logit-rows.wat does the same for float32 logits, two at a time). */
export function scalarSums(logits: ArrayLike<number>): NormaliserSums {
  let max = -Infinity;
  let maxAt = 0;
  for (let i = 0; i < logits.length; i++) {
    if (logits[i]! > max) {
      max = logits[i]!;
      maxAt = i;
    }
  }
  let sum = 0;
  let weighted = 0;
  for (let i = 0; i < logits.length; i++) {
    const shifted = logits[i]! - max;
    // the terms that underflow add nothing, and a -Infinity logit's e·shifted would be NaN (a NaN logit still is)
    if (!(shifted <= EXP_UNDERFLOW)) {
      const e = expNonPositive(shifted);
      sum += e;
      weighted += e * shifted;
    }
  }
  return { max, maxAt, sum, weighted };
}

/** All log-probabilities of a distribution (float64, so that sums over long paths stay exact enough). */
export function logprobsOf({ logits, max, logSum }: LogitDistribution): Float64Array {
  const logprobs = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) logprobs[i] = logits[i]! - max - logSum;
  return logprobs;
}

export function logprobAt(d: LogitDistribution, token: number): number {
  return d.logits[token]! - d.max - d.logSum;
}

/**
 * Below this magnitude of the largest logit, two float32 logits just under it can differ by less than half an ulp
 * of the normaliser, so their log-probabilities may round equal (and the lower index would rank first).
 */
const TIE_FREE_MAX = 2 ** -20;

/** The k most likely tokens of a distribution, as topIndices ranks its log-probabilities. */
export function topTokenIds(d: LogitDistribution, k: number): number[] {
  // the top one is where the normaliser found the maximum when no smaller logit can round to its log-probability
  // (float32 logits at least 2^-20 in magnitude are further apart than the rounding) and nothing was NaN or infinite
  // (a NaN or infinite logit makes the normaliser NaN)
  if (
    k === 1 &&
    d.maxAt !== undefined &&
    d.logits instanceof Float32Array &&
    Number.isFinite(d.logSum) &&
    Math.abs(d.max) >= TIE_FREE_MAX
  )
    return [d.maxAt];
  return topIndices(d.logits, k, d.max, d.logSum);
}

/** Log-probabilities and their entropy (nats) from logits, with one exponential per entry. */
export function logSoftmaxWithEntropy(logits: ArrayLike<number>): {
  logprobs: Float64Array;
  entropy: number;
  max: number;
  logSum: number;
} {
  const norm = logSoftmaxNorm(logits);
  return { ...norm, logprobs: logprobsOf({ logits, ...norm }) };
}

/** Shannon entropy in nats of the distribution given by log-probabilities. */
export function entropyOf(logprobs: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < logprobs.length; i++) {
    const lp = logprobs[i]!;
    if (lp > -Infinity) h -= Math.exp(lp) * lp;
  }
  return h;
}

/** below this many entries, copying a row into WebAssembly costs about what skipping through it saves */
const SCAN_IN_WASM_FROM = 4096;

/** topIndices' working lists, reused from call to call (a typed array past 64 bytes is a separate allocation) */
let topScratch = { indices: new Int32Array(64), values: new Float64Array(64) };

/**
 * Indices of the k largest `values[i] - minus - minus2`, best first; ties keep the lower index first
 * (deterministic). With the offsets of a log-softmax it ranks log-probabilities straight from the logits,
 * value for value as the written-out log-probabilities would rank. Entries whose raw value is at most `floor` are
 * left out (a caller that knows they cannot matter).
 */
export function topIndices(values: ArrayLike<number>, k: number, minus = 0, minus2 = 0, floor = -Infinity): number[] {
  const count = Math.min(Math.max(0, k), values.length);
  if (count === 0) return [];
  // a bounded sorted list, shifted by hand: one pass, O(n·k) at worst for the small k a search asks for
  if (topScratch.indices.length < count)
    topScratch = { indices: new Int32Array(count), values: new Float64Array(count) };
  const { indices: best, values: bestValues } = topScratch;
  let size = 0;
  // the raw value of the last kept entry: subtracting the offsets never reorders two values (it can only round
  // them equal, and a tie goes to the lower index, already kept), so an entry not above it cannot get in
  let lastKeptRaw = -Infinity;
  // a long float32 row is skipped through in WebAssembly, two entries at a time, to the next entry the checks
  // below would not skip at once (they still decide every entry it stops at)
  const scan = values instanceof Float32Array && values.length >= SCAN_IN_WASM_FROM ? float32RowScan(values) : null;
  for (let i = 0; i < values.length; i++) {
    if (scan) {
      i = scan(i, size === count ? Math.max(floor, lastKeptRaw) : floor);
      if (i >= values.length) break;
    }
    const raw = values[i]!;
    if (raw <= floor || (size === count && raw <= lastKeptRaw)) continue;
    const v = raw - minus - minus2;
    if (v === -Infinity || (size === count && !(v > bestValues[count - 1]!))) continue;
    let at = size < count ? size++ : count - 1;
    while (at > 0 && bestValues[at - 1]! < v) {
      best[at] = best[at - 1]!;
      bestValues[at] = bestValues[at - 1]!;
      at--;
    }
    best[at] = i;
    bestValues[at] = v;
    if (size === count) lastKeptRaw = values[best[count - 1]!]!;
  }
  // copied by index: Array.from would step a typed-array iterator, one result object per entry
  const out = new Array<number>(size);
  for (let i = 0; i < size; i++) out[i] = best[i]!;
  return out;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}
