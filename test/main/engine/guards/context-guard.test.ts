import { describe, expect, it } from 'vitest';
import { checkRunFits, contextLength, RunRefusedError } from '../../../../src/main/engine/guards/context-guard';
import { modelStrategyDefaults } from '../../../../src/main/engine/guards/model-defaults';
import { parseModelConfig } from '../../../../src/main/engine/model/model-config';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixtureModel } from '../../../helpers/fixtures';
import { runSearch, SearchFailedError } from '../../../../src/main/engine/search/run-search';

const config = (raw: Record<string, unknown>) => parseModelConfig(raw, 'config.json');

describe('context guard', () => {
  it("reads the context under each family's key", () => {
    expect(contextLength(config({ max_position_embeddings: 128 }))).toBe(128);
    expect(contextLength(config({ n_positions: 64 }))).toBe(64);
    expect(contextLength(config({}))).toBeNull();
  });

  it('refuses a run past the context, naming both numbers; exactly at the context it passes', () => {
    const model = { config: config({ max_position_embeddings: 128 }), name: 'm' };
    const greedy = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 32 });
    expect(() => checkRunFits('x', 96, greedy, model)).not.toThrow();
    expect(() => checkRunFits('x', 97, greedy, model)).toThrow(
      /the prompt has 97 tokens and maxNewTokens 32 would need 129 positions, but m has a context of 128: lower maxNewTokens to 31/,
    );
    expect(() => checkRunFits('x', 130, greedy, model)).toThrow(/shorten the prompt/);
  });

  it('counts thoughts and their markers for latent runs', () => {
    const model = {
      config: config({
        max_position_embeddings: 50,
        lattice_lab: { thoughts: { begin_token: '<bot>', end_token: '<eot>' } },
      }),
      name: 'm',
    };
    const latent = resolveStrategyConfig({ strategy: 'latent', thoughts: 6, maxNewTokens: 30 });
    expect(() => checkRunFits('x', 12, latent, model)).not.toThrow(); // 12 + 30 + 6 + 2 = 50
    expect(() => checkRunFits('x', 13, latent, model)).toThrow(
      /maxNewTokens 30 \+ 8 thought positions would need 51 positions/,
    );
  });

  it('refuses an empty prompt', () => {
    const model = { config: config({}), name: 'm' };
    expect(() => checkRunFits('  ', 1, resolveStrategyConfig({ strategy: 'greedy' }), model)).toThrow(RunRefusedError);
  });

  it('is applied by the engine before the first step (the CLI and the app get it alike)', async () => {
    const model = await fixtureModel('lab-tiny');
    const context = contextLength(model.config)!;
    await expect(
      runSearch({ model, prompt: 'a', config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: context }) }),
    ).rejects.toThrow(new RegExp(`would need ${context + 2} positions|would need ${context + 1} positions`));
    await expect(
      runSearch({ model, prompt: '', config: resolveStrategyConfig({ strategy: 'greedy' }) }),
    ).rejects.toThrow(/the prompt is empty/);
  });
});

describe('model-declared defaults', () => {
  it('a continuous-thought model asks for its trained mode and count; other models for nothing', () => {
    expect(modelStrategyDefaults(config({ lattice_lab: { thoughts: { count: 6, mode: 'hidden' } } }))).toEqual({
      latent: { thoughts: 6, mode: 'hidden' },
    });
    expect(modelStrategyDefaults(config({ lattice_lab: { thoughts: { mode: 'sideways' } } }))).toEqual({});
    expect(modelStrategyDefaults(config({}))).toEqual({});
  });
});

describe('a run that fails partway', () => {
  it('reports the error with the tree, stats and best-so-far it had built', async () => {
    const model = await fixtureModel('lab-tiny');
    let calls = 0;
    // a decoder that fails on its fourth forward pass, as a native fault in a step would surface
    const decoder = Object.create(model.decoder) as typeof model.decoder;
    decoder.forward = (req) => {
      if (++calls === 4) return Promise.reject(new Error('step 4 failed'));
      return model.decoder.forward(req);
    };
    const failing = { ...model, decoder };
    const error = await runSearch({
      model: failing,
      prompt: 'a',
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 8 }),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SearchFailedError);
    const { partial, message } = error as SearchFailedError;
    expect(message).toBe('step 4 failed');
    // the failing pass counts: it was attempted
    expect(partial.stats.forwardPasses).toBe(4);
    expect(partial.tree.order.length).toBeGreaterThan(3);
    expect(partial.result.cancelled).toBe(false);
    expect(partial.result.nBest.length).toBeGreaterThan(0);
  });
});
