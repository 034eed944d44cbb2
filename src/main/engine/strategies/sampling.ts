import type { Strategy } from '../search/search-context';
import { addTokenChild, recordEvaluation } from '../search/node-records';
import { applyChain, buildSamplingChain } from '../sampling/logits-processors';
import { SeededRandom, sampleIndex } from '../sampling/seeded-random';
import { logprobAt, logSoftmax } from '../math/log-softmax';
import { searchStep } from '../search/search-step';
import { checkNodeCap } from '../search/run-limits';

/**
 * n seeded rollouts advanced in lockstep; rollouts that draw the same token share the node, so each distinct
 * prefix is evaluated once. Nodes record the model's own log-probabilities, not the filtered ones.
 */
export const sampling: Strategy<'sampling'> = async (ctx, config) => {
  const tokenizer = ctx.model.tokenizer;
  const chain = buildSamplingChain(config);
  const random = new SeededRandom(config.seed);
  const childOf = new Map<string, number>();
  let rollouts = Array.from({ length: config.n }, () => ctx.rootId);
  const ended: number[] = [];
  for (let step = 0; step < config.maxNewTokens && rollouts.length > 0; step++) {
    const distinct = [...new Set(rollouts)];
    checkNodeCap(
      ctx.tree.size,
      Math.min(rollouts.length, distinct.length * ctx.model.info.vocabSize),
      ctx.maxNodes,
      'n or max-new-tokens',
    );
    const lastStep = step === config.maxNewTokens - 1;
    const { result: next } = await searchStep(ctx, {
      evaluate: distinct,
      record: (draft, evaluated) => {
        const evaluations = new Map(evaluated.map((e) => [e.nodeId, e]));
        const running: number[] = [];
        for (const evaluation of evaluated) recordEvaluation(draft, evaluation, config.topkShown, tokenizer);
        for (const node of rollouts) {
          const evaluation = evaluations.get(node)!;
          const history = config.repetitionPenalty !== 1 ? [...ctx.promptIds, ...ctx.tree.pathTokens(node)] : [];
          const filtered = logSoftmax(applyChain(chain, Float64Array.from(evaluation.logits), history));
          const token = sampleIndex(filtered, random);
          const key = `${node}:${token}`;
          let child = childOf.get(key);
          const finished = ctx.eosIds.has(token) || lastStep;
          if (child === undefined) {
            child = addTokenChild(
              draft,
              tokenizer,
              node,
              token,
              logprobAt(evaluation, token),
              finished ? 'finished' : 'frontier',
            );
            childOf.set(key, child);
          }
          (finished ? ended : running).push(child);
        }
        return running;
      },
      progress: (running) => [
        (step + 1) / config.maxNewTokens,
        `token ${step + 1}, ${running.length} rollouts running`,
      ],
    });
    rollouts = next;
  }
  const distinctEnds = [...new Set(ended)];
  const ranked = distinctEnds
    .map((nodeId) => ({ nodeId, score: ctx.tree.node(nodeId).score }))
    .sort((a, b) => b.score - a.score);
  const counts = new Map<number, number>();
  for (const id of ended) counts.set(id, (counts.get(id) ?? 0) + 1);
  return { ranked, analysis: { rolloutCounts: Object.fromEntries(counts) } };
};
