import { describe, expect, it } from 'vitest';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { RunLimitError } from '../../../../src/main/engine/search/run-limits';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { kvBytes } from '../../../../src/main/engine/model/kv-tensors';
import { fixtureModel } from '../../../helpers/fixtures';

describe('node cap and KV budget', () => {
  it('refuses a step that would pass the node cap, naming the setting to lower, for every kind of strategy', async () => {
    const model = await fixtureModel('lab-tiny');
    const cases = [
      {
        config: resolveStrategyConfig({
          strategy: 'bfs',
          maxNewTokens: 6,
          topkShown: 0,
          topK: 8,
          topP: 1,
          width: 100000,
          merge: { kind: 'none' },
        }),
        setting: 'width',
      },
      {
        config: resolveStrategyConfig({ strategy: 'beam', numBeams: 40, maxNewTokens: 6, topkShown: 0 }),
        setting: 'num-beams',
      },
      {
        config: resolveStrategyConfig({ strategy: 'sampling', n: 5000, seed: 1, maxNewTokens: 6, topkShown: 0 }),
        setting: 'n',
      },
      {
        config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 30, topkShown: 7 }),
        setting: 'max-new-tokens',
      },
    ];
    for (const { config, setting } of cases) {
      const run = runSearch({
        model: { ...model, info: { ...model.info, eosTokenIds: [] } },
        prompt: 'a b',
        config,
        maxNodes: 60,
      });
      // the run keeps what it built (SearchFailedError carries the partial tree); the cause is the limit
      const err = await run.then(
        () => null,
        (e: Error) => e,
      );
      expect(err?.cause ?? err).toBeInstanceOf(RunLimitError);
      expect(err!.message).toContain(setting);
    }
  });

  it('a frontier wider than the KV budget: held caches stay within it and the tree is the same as with room to spare', async () => {
    const model = await fixtureModel('lab-tiny');
    const config = resolveStrategyConfig({
      strategy: 'bfs',
      maxNewTokens: 4,
      topkShown: 0,
      topK: 4,
      topP: 1,
      width: 40,
      merge: { kind: 'none' },
    });
    const noEos = { ...model, info: { ...model.info, eosTokenIds: [] } };
    const roomy = await runSearch({ model: noEos, prompt: 'a b', config });
    // room for about six one-row caches at the deepest level: most of a 40-wide frontier cannot be kept
    const budget = 6 * kvBytes(model.decoder.kvShape, 1, 2 + 4);
    const tight = await runSearch({ model: noEos, prompt: 'a b', config, kvBudgetBytes: budget });
    expect(roomy.stats.peakKvBytes).toBeGreaterThan(budget);
    expect(tight.stats.peakKvBytes).toBeLessThanOrEqual(budget);
    expect(tight.tree.order.length).toBe(roomy.tree.order.length);
    for (const id of roomy.tree.order) {
      expect(tight.tree.nodes[id]!.tokenId).toBe(roomy.tree.nodes[id]!.tokenId);
      expect(tight.tree.nodes[id]!.score).toBeCloseTo(roomy.tree.nodes[id]!.score, 5);
      expect(tight.tree.nodes[id]!.status).toBe(roomy.tree.nodes[id]!.status);
    }
    expect(tight.result.nBest.map((n) => n.tokenIds)).toEqual(roomy.result.nBest.map((n) => n.tokenIds));
    // recomputation costs tokens, never answers
    expect(tight.stats.tokensEvaluated).toBeGreaterThan(roomy.stats.tokensEvaluated);
  });
});
