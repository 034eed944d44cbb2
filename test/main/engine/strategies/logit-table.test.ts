import { describe, expect, it } from 'vitest';
import { greedy } from '../../../../src/main/engine/strategies/greedy';
import { beam } from '../../../../src/main/engine/strategies/beam';
import { bfs } from '../../../../src/main/engine/strategies/bfs';
import { RunLimitError } from '../../../../src/main/engine/search/run-limits';
import { resolveStrategyConfig, type ConfigOf } from '../../../../src/shared/strategies';
import { tableContext } from '../../../helpers/logit-table';

const VOCAB = ['<eos>', 'a', 'b', 'c'];

// The classic case where greedy misses the best sequence: "a" is likelier first, but "b <eos>" is likelier whole.
//   first: a .5, b .4, <eos> .1;  after a: a .3, b .3, c .4;  after b: <eos> .9, c .1
const TRAP = (g: number[]): number[] => {
  if (g.length === 0) return [0.1, 0.5, 0.4, 0];
  if (g[0] === 1) return [0, 0.3, 0.3, 0.4];
  return [0.9, 0, 0, 0.1];
};

describe('strategies on literal probability tables', () => {
  it('greedy takes the argmax at every step and keeps the runner-ups as pruned', async () => {
    const { ctx, evaluator } = tableContext(VOCAB, TRAP);
    const out = await greedy(
      ctx,
      resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 2, topkShown: 2 }) as ConfigOf<'greedy'>,
    );
    expect(ctx.tree.pathTokens(out.ranked[0]!.nodeId)).toEqual([1, 3]);
    expect(out.ranked[0]!.score).toBeCloseTo(Math.log(0.5 * 0.4), 6);
    const rootChildren = ctx.tree.state.order
      .filter((id) => ctx.tree.node(id).parents[0] === 0)
      .map((id) => ctx.tree.node(id));
    expect(rootChildren.map((n) => [n.tokenId, n.status])).toEqual([
      [1, 'expanded'],
      [2, 'pruned'],
      [0, 'pruned'],
    ]);
    expect(evaluator.stats.forwardPasses).toBe(2);
    // the prompt's cache is released once its child is evaluated
    expect(evaluator.released.has(0)).toBe(true);
  });

  it('beam search with two beams finds the sequence greedy misses, with Hugging Face scores', async () => {
    const { ctx } = tableContext(VOCAB, TRAP);
    const out = await beam(
      ctx,
      resolveStrategyConfig({
        strategy: 'beam',
        numBeams: 2,
        maxNewTokens: 2,
        topkShown: 0,
        lengthPenalty: 1,
        numReturn: 2,
      }) as ConfigOf<'beam'>,
    );
    expect(ctx.tree.pathTokens(out.ranked[0]!.nodeId)).toEqual([2, 0]);
    // sum of log-probabilities / generated length ^ length_penalty
    expect(out.ranked[0]!.score).toBeCloseTo(Math.log(0.4 * 0.9) / 2, 6);
    expect(ctx.tree.pathTokens(out.ranked[1]!.nodeId)).toEqual([1, 3]);
    expect(out.ranked[1]!.score).toBeCloseTo(Math.log(0.5 * 0.4) / 2, 6);
  });

  it('BFS merging by the last token on a bigram table: each state holds the summed mass of every path into it', async () => {
    // a bigram model: the next distribution depends only on the last token (logits are float32: 1e-6)
    const bigram: Record<number, number[]> = {
      [-1]: [0, 0.2, 0.3, 0.5],
      1: [0, 0.6, 0.3, 0.1],
      2: [0, 0.1, 0.1, 0.8],
      3: [0, 0.3, 0.4, 0.3],
    };
    const { ctx } = tableContext(VOCAB, (g) => bigram[g.length === 0 ? -1 : g[g.length - 1]!]!);
    await bfs(
      ctx,
      resolveStrategyConfig({
        strategy: 'bfs',
        maxNewTokens: 3,
        topkShown: 0,
        topK: 3,
        topP: 1,
        width: 10,
        merge: { kind: 'last-n', n: 1 },
      }) as ConfigOf<'bfs'>,
    );
    const first = bigram[-1]!;
    let states = 0;
    for (const id of ctx.tree.state.order) {
      const node = ctx.tree.node(id);
      if (node.depth !== 2 || node.status === 'merged') continue;
      const last = node.tokenId!;
      const mass = [1, 2, 3].reduce((sum, y) => sum + first[y]! * bigram[y]![last]!, 0);
      expect(node.forwardLogMass).toBeCloseTo(Math.log(mass), 6);
      const best = Math.max(...[1, 2, 3].map((y) => first[y]! * bigram[y]![last]!));
      expect(node.score).toBeCloseTo(Math.log(best), 6);
      states++;
    }
    // nine paths of length two, merged into one state per last token
    expect(states).toBe(3);
  });

  it('a search that would outgrow the node cap is refused before its nodes exist', async () => {
    const uniform = () => [0.25, 0.25, 0.25, 0.25];
    const { ctx } = tableContext(VOCAB, uniform, { maxNodes: 20 });
    const run = bfs(
      ctx,
      resolveStrategyConfig({
        strategy: 'bfs',
        maxNewTokens: 5,
        topkShown: 0,
        topK: 4,
        topP: 1,
        width: 1000,
        merge: { kind: 'none' },
      }) as ConfigOf<'bfs'>,
    );
    await expect(run).rejects.toBeInstanceOf(RunLimitError);
    await expect(run).rejects.toThrow(/lower the width, top-k or max-new-tokens/);
    expect(ctx.tree.size).toBeLessThanOrEqual(20);
  });
});
