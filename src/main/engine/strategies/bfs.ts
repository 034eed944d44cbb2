import type { Strategy } from '../search/search-context';
import type { BfsAnalysis } from '../../../shared/analysis';
import { levelSearch, rankFinished, levelSettings } from './bfs-level';
import { answerMarginals, finishedState } from '../analysis/answer-marginals';

/** How many finished hypotheses a BFS run reports in its n-best list. */
export const BFS_NBEST = 10;

/**
 * Breadth-first search with dynamic-programming state merging: level-synchronous, each node's children are its
 * top-k tokens within cumulative probability p, one batched evaluation per depth, hypotheses with an equal merge
 * key merged into one lattice state (Viterbi score and forward mass kept), the frontier capped at W by score.
 * Finished hypotheses (EOS or the token limit) are ranked by score; each carries its forward mass.
 */
export const bfs: Strategy<'bfs'> = async (ctx, config) => {
  const { finished, levels } = await levelSearch(ctx, {
    ...levelSettings(config),
    merge: config.merge,
  });
  const mergedPerDepth = levels.map(() => 0);
  for (const id of ctx.tree.state.order) {
    const node = ctx.tree.node(id);
    if (node.status === 'merged' && node.depth < mergedPerDepth.length) mergedPerDepth[node.depth]!++;
  }
  const analysis: BfsAnalysis = { kind: 'bfs-levels', levelSizes: levels.map((l) => l.members.length), mergedPerDepth };
  const answerOf = ctx.task?.answerOf;
  if (answerOf)
    analysis.answerMarginals = answerMarginals(
      finished.map((id) => finishedState(ctx, id)),
      answerOf,
    );
  return { ranked: rankFinished(ctx, finished, BFS_NBEST), analysis };
};
