import type { SearchContext, Strategy, StrategyOutcome } from '../search/search-context';
import type { ConfigOf } from '../../../shared/strategies';
import { logprobAt, topTokenIds } from '../math/log-softmax';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { setStatus } from '../tree/tree-store';
import { searchStep, type SearchStep } from '../search/search-step';
import { checkNodeCap } from '../search/run-limits';

/** Expands the argmax child until EOS or the token limit; the runner-ups stay in the tree as pruned. */
export const greedy: Strategy<'greedy'> = (ctx, config) => decodeGreedyFrom(ctx, ctx.rootId, config);

/** Greedy decoding from any node of the tree (the prompt, or the last continuous thought of a latent run). */
export async function decodeGreedyFrom(
  ctx: SearchContext,
  startId: number,
  config: Pick<ConfigOf<'greedy'>, 'maxNewTokens' | 'topkShown'>,
): Promise<StrategyOutcome> {
  const tokenizer = ctx.model.tokenizer;
  let current = startId;
  let step = 0;
  // one step description for the whole chain (a greedy step is a fraction of a millisecond on a small model)
  const chainStep: SearchStep<{ child: number; finished: boolean }> = {
    evaluate: [current],
    record: (draft, [evaluation]) => {
      const parent = current;
      const ranked = topTokenIds(evaluation!, config.topkShown + 1);
      const best = ranked[0]!;
      const finished = ctx.eosIds.has(best) || step === config.maxNewTokens - 1;
      recordEvaluation(draft, evaluation!, config.topkShown, tokenizer);
      const child = addTokenChild(
        draft,
        tokenizer,
        parent,
        best,
        logprobAt(evaluation!, best),
        finished ? 'finished' : 'frontier',
      );
      for (let i = 1; i < ranked.length; i++)
        addTokenChild(draft, tokenizer, parent, ranked[i]!, logprobAt(evaluation!, ranked[i]!), 'pruned');
      return { child, finished };
    },
    progress: () => [(step + 1) / config.maxNewTokens, `token ${step + 1}`],
  };
  for (; step < config.maxNewTokens; step++) {
    checkNodeCap(ctx.tree.size, config.topkShown + 1, ctx.maxNodes, 'topk-shown or max-new-tokens');
    chainStep.evaluate[0] = current;
    const { result } = await searchStep(ctx, chainStep);
    current = result.child;
    if (result.finished) break;
  }
  if (ctx.tree.node(current).status === 'frontier') ctx.tree.update((d) => setStatus(d, current, 'finished'));
  return { ranked: [{ nodeId: current, score: ctx.tree.node(current).score }] };
}
