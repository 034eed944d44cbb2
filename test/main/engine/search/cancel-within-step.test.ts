import { describe, expect, it } from 'vitest';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { DecoderPass } from '../../../../src/main/engine/runtime/forward-batcher';
import { fixtureModel } from '../../../helpers/fixtures';

describe('cancel inside a step', () => {
  it('takes effect before the next forward pass, even when one step needs several', async () => {
    const loaded = await fixtureModel('lab-tiny');
    const model = { ...loaded, info: { ...loaded.info, eosTokenIds: [] } };
    const config = resolveStrategyConfig({ strategy: 'bfs', topK: 4, topP: 1, width: 16, maxNewTokens: 6 });
    // A tiny KV budget makes every wide step run in several parts (and recompute evicted prefixes).
    const kvBudgetBytes = 4096;
    const full = await runSearch({ model, prompt: 'a b', config, kvBudgetBytes });

    const controller = new AbortController();
    let passes = 0;
    const abortAfter = 7;
    const counting: DecoderPass = {
      forward: async (request) => {
        const out = await model.decoder.forward(request);
        if (++passes === abortAfter) controller.abort();
        return out;
      },
    };
    let stepsSeen = 0;
    const out = await runSearch({
      model,
      prompt: 'a b',
      config,
      kvBudgetBytes,
      decoder: counting,
      signal: controller.signal,
      onProgress: () => stepsSeen++,
    });
    expect(full.stats.forwardPasses).toBeGreaterThan(abortAfter + 3);
    expect(out.result.cancelled).toBe(true);
    // not one pass after the abort, although the step it fell in had more to do
    expect(passes).toBe(abortAfter);
    expect(out.stats.forwardPasses).toBe(abortAfter);
    expect(stepsSeen).toBeLessThan(abortAfter);
  });
});
