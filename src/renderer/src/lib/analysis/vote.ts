import type { Hypothesis } from '../../../../shared/run';

export interface AnswerCount {
  /** the answer as the task's checker read it; null: no answer could be read (malformed) */
  answer: string | null;
  count: number;
  correct: boolean;
}

export interface VoteSummary {
  /** rollouts (sampling counts a shared end once per rollout that reached it) */
  n: number;
  /** rollouts whose answer the checker scored correct */
  correct: number;
  histogram: AnswerCount[];
  /** the most frequent readable answer (ties: the one reached by the better-scored hypothesis) */
  majority: AnswerCount | null;
}

/**
 * Answers of a run's hypotheses counted per rollout: `rolloutCounts` (sampling's analysis) says how many rollouts
 * ended at each node; without it each hypothesis counts once. Needs hypotheses judged by the checker.
 */
export function answerVote(nBest: readonly Hypothesis[], rolloutCounts?: Record<string, number>): VoteSummary | null {
  const judged = nBest.filter((h) => h.task);
  if (judged.length === 0) return null;
  const byAnswer = new Map<string | null, AnswerCount>();
  let n = 0;
  let correct = 0;
  for (const h of judged) {
    const count = rolloutCounts?.[String(h.nodeId)] ?? 1;
    const ok = h.task!.verdict === 'correct';
    n += count;
    if (ok) correct += count;
    const entry = byAnswer.get(h.task!.answer) ?? { answer: h.task!.answer, count: 0, correct: false };
    entry.count += count;
    entry.correct ||= ok;
    byAnswer.set(h.task!.answer, entry);
  }
  // nBest is ranked best first, and a Map keeps first insertion: a stable sort leaves ties in rank order
  const histogram = [...byAnswer.values()].sort((a, b) => b.count - a.count);
  return { n, correct, histogram, majority: histogram.find((h) => h.answer !== null) ?? null };
}

/**
 * pass@k: the probability that at least one of k rollouts drawn without replacement from n, of which c are correct,
 * is correct: 1 − C(n−c, k) / C(n, k) (the unbiased estimator of Chen et al., 2021), computed as a product.
 */
export function passAtK(n: number, c: number, k: number): number {
  if (k < 1 || k > n || c < 0 || c > n)
    throw new RangeError(`pass@k needs 1 ≤ k ≤ n and 0 ≤ c ≤ n (n=${n}, c=${c}, k=${k})`);
  if (n - c < k) return 1;
  let miss = 1;
  for (let i = n - c + 1; i <= n; i++) miss *= 1 - k / i;
  return 1 - miss;
}
