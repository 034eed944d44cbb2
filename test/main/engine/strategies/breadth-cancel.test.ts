import { describe, expect, it } from 'vitest';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixtureModel } from '../../../helpers/fixtures';

describe.each([
  { strategy: 'bfs', topK: 3, width: 4, maxNewTokens: 12, merge: { kind: 'none' } },
  { strategy: 'hmm', topK: 3, width: 4, maxNewTokens: 12, states: 2 },
  { strategy: 'latent', thoughts: 6, maxNewTokens: 12 },
])('cancelling $strategy between steps', (settings) => {
  it('stops at the next step and reports what it had', async () => {
    const loaded = await fixtureModel('lab-tiny');
    const model = { ...loaded, info: { ...loaded.info, eosTokenIds: [] } };
    const controller = new AbortController();
    let steps = 0;
    const out = await runSearch({
      model,
      prompt: 'a b',
      signal: controller.signal,
      config: resolveStrategyConfig(settings),
      onProgress: () => {
        if (++steps === 2) controller.abort();
      },
    });
    expect(out.result.cancelled).toBe(true);
    // it stopped early: far fewer passes than a full run
    const full = await runSearch({ model, prompt: 'a b', config: resolveStrategyConfig(settings) });
    expect(out.stats.forwardPasses).toBeLessThan(full.stats.forwardPasses);
    expect(out.stats.forwardPasses).toBeLessThanOrEqual(4);
  });
});
