import { logSoftmax } from '../math/log-softmax';

/**
 * Logits processors with Hugging Face semantics: each takes scores (logits, float64) and returns filtered
 * scores, removed tokens set to -Infinity. Small pieces, chained in `buildSamplingChain`.
 */
export type LogitsProcessor = (scores: Float64Array, history: readonly number[]) => Float64Array;

/** CTRL's penalty: a seen token's logit is divided by `penalty` when positive, multiplied when negative. */
export function repetitionPenalty(penalty: number): LogitsProcessor {
  return (scores, history) => {
    const out = Float64Array.from(scores);
    for (const token of new Set(history)) {
      const s = out[token]!;
      out[token] = s < 0 ? s * penalty : s / penalty;
    }
    return out;
  };
}

export function temperature(t: number): LogitsProcessor {
  return (scores) => scores.map((s) => s / t);
}

/** Keeps every token whose score reaches the k-th largest (ties at the threshold are kept). */
export function topK(k: number): LogitsProcessor {
  return (scores) => {
    if (k >= scores.length) return Float64Array.from(scores);
    const threshold = Float64Array.from(scores).sort().reverse()[k - 1]!;
    return scores.map((s) => (s < threshold ? -Infinity : s));
  };
}

/** Keeps the smallest set of most likely tokens whose probability reaches p (nucleus sampling). */
export function topP(p: number): LogitsProcessor {
  return (scores) => {
    const probs = logSoftmax(scores).map(Math.exp);
    const ascending = Array.from(scores.keys()).sort((a, b) => probs[a]! - probs[b]! || b - a);
    const out = Float64Array.from(scores);
    let cumulative = 0;
    // HF removes the low tail whose cumulative probability is ≤ 1 - p, always keeping the top token.
    for (let i = 0; i < ascending.length - 1; i++) {
      cumulative += probs[ascending[i]!]!;
      if (cumulative <= 1 - p) out[ascending[i]!] = -Infinity;
      else break;
    }
    return out;
  };
}

/** Removes tokens less likely than minP times the most likely one. */
export function minP(minRatio: number): LogitsProcessor {
  return (scores) => {
    const probs = logSoftmax(scores).map(Math.exp);
    let top = 0;
    for (const p of probs) top = Math.max(top, p);
    return scores.map((s, i) => (probs[i]! < minRatio * top ? -Infinity : s));
  };
}

/** Locally typical sampling: keeps tokens whose surprisal is closest to the entropy until their mass reaches p. */
export function typicalP(mass: number): LogitsProcessor {
  return (scores) => {
    const logprobs = logSoftmax(scores);
    let entropy = 0;
    for (const lp of logprobs) if (lp > -Infinity) entropy -= Math.exp(lp) * lp;
    const shifted = Array.from(logprobs, (lp) => Math.abs(-lp - entropy));
    const order = Array.from(scores.keys()).sort((a, b) => shifted[a]! - shifted[b]! || a - b);
    let cumulative = 0;
    let lastKept = 0;
    for (let i = 0; i < order.length; i++) {
      cumulative += Math.exp(logprobs[order[i]!]!);
      if (cumulative < mass) lastKept = i + 1;
    }
    lastKept = Math.min(lastKept, order.length - 1);
    const threshold = shifted[order[lastKept]!]!;
    return scores.map((s, i) => (shifted[i]! > threshold ? -Infinity : s));
  };
}

export interface SamplingSettings {
  temperature: number;
  topK: number;
  topP: number;
  minP: number;
  typicalP: number;
  repetitionPenalty: number;
}

/** Hugging Face's order: repetition penalty, then temperature, top-k, top-p, min-p, typical-p. */
export function buildSamplingChain(settings: SamplingSettings): LogitsProcessor[] {
  const chain: LogitsProcessor[] = [];
  if (settings.repetitionPenalty !== 1) chain.push(repetitionPenalty(settings.repetitionPenalty));
  if (settings.temperature !== 1) chain.push(temperature(settings.temperature));
  if (settings.topK > 0) chain.push(topK(settings.topK));
  if (settings.topP < 1) chain.push(topP(settings.topP));
  if (settings.minP > 0) chain.push(minP(settings.minP));
  if (settings.typicalP < 1) chain.push(typicalP(settings.typicalP));
  return chain;
}

export function applyChain(chain: LogitsProcessor[], scores: Float64Array, history: readonly number[]): Float64Array {
  return chain.reduce((s, processor) => processor(s, history), scores);
}
