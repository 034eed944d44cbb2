import { logSoftmax } from '../math/log-softmax';
import { topK as topKFilter, topP as topPFilter } from '../sampling/logits-processors';

/**
 * The next-token distribution a mixture thought superposes: the logits filtered by top-k (0 disables) and top-p
 * (1 disables) with Hugging Face semantics, renormalised. Returns probabilities (0 for removed tokens).
 */
export function filteredDistribution(logits: ArrayLike<number>, topK: number, topP: number): Float64Array {
  let scores: Float64Array = Float64Array.from(logits);
  if (topK > 0) scores = topKFilter(topK)(scores, []);
  if (topP < 1) scores = topPFilter(topP)(scores, []);
  return logSoftmax(scores).map(Math.exp);
}

/** Σ_k p_k · E[k]: the probability-weighted mixture of token embeddings ("soft thinking"). */
export function mixtureEmbedding(probs: ArrayLike<number>, embeddings: Float32Array, hiddenSize: number): Float32Array {
  const out = new Float64Array(hiddenSize);
  for (let k = 0; k < probs.length; k++) {
    const p = probs[k]!;
    if (p === 0) continue;
    const row = k * hiddenSize;
    for (let h = 0; h < hiddenSize; h++) out[h]! += p * embeddings[row + h]!;
  }
  return Float32Array.from(out);
}
