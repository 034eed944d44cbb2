import { describe, expect, it } from 'vitest';
import {
  applyChain,
  buildSamplingChain,
  minP,
  repetitionPenalty,
  temperature,
  topK,
  topP,
  typicalP,
} from '../../../../src/main/engine/sampling/logits-processors';

const probs = [0.5, 0.3, 0.15, 0.05];
const logits = () => Float64Array.from(probs, Math.log);
const kept = (scores: Float64Array) => Array.from(scores.keys()).filter((i) => scores[i]! > -Infinity);

describe('logits processors on hand-made logits', () => {
  it('top-k keeps the k largest, and every token tied at the threshold', () => {
    expect(kept(topK(2)(logits(), []))).toEqual([0, 1]);
    expect(kept(topK(2)(Float64Array.of(1, 3, 2, 3), []))).toEqual([1, 3]);
    expect(kept(topK(10)(logits(), []))).toEqual([0, 1, 2, 3]);
  });

  it('top-p keeps the smallest head whose mass reaches p', () => {
    expect(kept(topP(0.75)(logits(), []))).toEqual([0, 1]);
    expect(kept(topP(0.4)(logits(), []))).toEqual([0]);
    expect(kept(topP(0.9)(logits(), []))).toEqual([0, 1, 2]);
    // the most likely token always survives
    expect(kept(topP(0.01)(logits(), []))).toEqual([0]);
  });

  it('min-p removes tokens below minP times the top probability', () => {
    expect(kept(minP(0.4)(logits(), []))).toEqual([0, 1]);
    expect(kept(minP(0.25)(logits(), []))).toEqual([0, 1, 2]);
  });

  it('typical-p keeps the tokens whose surprisal is closest to the entropy', () => {
    // entropy 1.142 nats; |surprisal − H| orders the tokens 1, 0, 2, 3 (cumulative 0.3, 0.8, 0.95, 1)
    expect(kept(typicalP(0.5)(logits(), []))).toEqual([0, 1]);
    expect(kept(typicalP(0.9)(logits(), []))).toEqual([0, 1, 2]);
    expect(kept(typicalP(0.2)(logits(), []))).toEqual([1]);
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    expect(Array.from(repetitionPenalty(2)(Float64Array.of(2, -2, 1), [0, 1, 1]))).toEqual([1, -4, 1]);
  });

  it('temperature scales logits', () => {
    expect(Array.from(temperature(0.5)(Float64Array.of(1, -2), []))).toEqual([2, -4]);
  });

  it('chains in Hugging Face order and skips disabled filters', () => {
    expect(
      buildSamplingChain({ temperature: 1, topK: 0, topP: 1, minP: 0, typicalP: 1, repetitionPenalty: 1 }),
    ).toHaveLength(0);
    const chain = buildSamplingChain({
      temperature: 2,
      topK: 3,
      topP: 0.5,
      minP: 0,
      typicalP: 1,
      repetitionPenalty: 1,
    });
    // temperature 2 flattens to p ∝ sqrt(p): 0.37, 0.29, 0.2, 0.12 → top-3 then top-p 0.5 keeps two
    expect(kept(applyChain(chain, logits(), []))).toEqual([0, 1]);
  });
});
