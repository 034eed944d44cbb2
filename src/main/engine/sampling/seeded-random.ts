import { xoroshiro128plus, unsafeUniformIntDistribution } from 'pure-rand';
import type { RandomGenerator } from 'pure-rand';

/** A reproducible stream of doubles in [0, 1) with 53 random bits. */
export class SeededRandom {
  private readonly generator: RandomGenerator;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  next(): number {
    const high = unsafeUniformIntDistribution(0, (1 << 26) - 1, this.generator);
    const low = unsafeUniformIntDistribution(0, (1 << 27) - 1, this.generator);
    return (high * 2 ** 27 + low) / 2 ** 53;
  }
}

/** Draws an index from log-probabilities (entries at -Infinity are never drawn). */
export function sampleIndex(logprobs: ArrayLike<number>, random: SeededRandom): number {
  let max = -Infinity;
  for (let i = 0; i < logprobs.length; i++) max = Math.max(max, logprobs[i]!);
  let total = 0;
  const weights = new Float64Array(logprobs.length);
  for (let i = 0; i < logprobs.length; i++) {
    weights[i] = logprobs[i]! === -Infinity ? 0 : Math.exp(logprobs[i]! - max);
    total += weights[i]!;
  }
  let u = random.next() * total;
  let last = -1;
  for (let i = 0; i < weights.length; i++) {
    if (weights[i] === 0) continue;
    last = i;
    u -= weights[i]!;
    if (u < 0) return i;
  }
  return last;
}
