import type { Strategy } from '../search/search-context';
import type { ConfigOf } from '../../../shared/strategies';
import type { NodeEvaluation } from '../runtime/evaluator';
import { topTokenIds } from '../math/log-softmax';
import { childTokens, levelSearch, rankFinished, levelSettings } from './bfs-level';
import { BFS_NBEST } from './bfs';

/** Variance of the surprisal −log p under p (nats²): how unevenly the uncertainty is spread over the tokens. */
export function varentropyOf(logprobs: ArrayLike<number>, entropy: number): number {
  let v = 0;
  for (let t = 0; t < logprobs.length; t++) {
    const lp = logprobs[t]!;
    if (lp === -Infinity) continue;
    const d = lp + entropy;
    v += Math.exp(lp) * d * d;
  }
  return v;
}

/** Whether a node is uncertain enough to branch under the configured thresholds. */
export function shouldBranch(
  evaluation: NodeEvaluation,
  config: Pick<ConfigOf<'adaptive'>, 'entropy' | 'varentropy' | 'combine'>,
): boolean {
  const tests: boolean[] = [];
  if (config.entropy !== null) tests.push(evaluation.entropy >= config.entropy);
  if (config.varentropy !== null)
    tests.push(varentropyOf(evaluation.logprobs, evaluation.entropy) >= config.varentropy);
  if (tests.length === 0) return false;
  return config.combine === 'or' ? tests.some(Boolean) : tests.every(Boolean);
}

/**
 * Entropy-adaptive branching (after entropix): level-synchronous like BFS, but a node expands into its top-k/top-p
 * children only where the next-token entropy (and/or varentropy) reaches the threshold, and into its argmax
 * child elsewhere. With no test that can pass it is greedy; with a zero threshold it is BFS.
 */
export const adaptive: Strategy<'adaptive'> = async (ctx, config) => {
  const { finished } = await levelSearch(ctx, {
    ...levelSettings(config),
    merge: config.merge,
    label: 'adaptive depth',
    children: (evaluation) =>
      shouldBranch(evaluation, config) ? childTokens(evaluation, config.topK, config.topP) : topTokenIds(evaluation, 1),
  });
  return { ranked: rankFinished(ctx, finished, BFS_NBEST) };
};
