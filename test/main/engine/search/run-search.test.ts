import { describe, expect, it } from 'vitest';
import { applyPatches, enablePatches } from 'immer';
import { encodePrompt, runSearch, StrategyUnavailableError } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { TreeState } from '../../../../src/shared/tree';
import { fixtureModel } from '../../../helpers/fixtures';

enablePatches();

describe('runSearch', () => {
  it('streams patches that rebuild the final tree exactly', async () => {
    const model = await fixtureModel('lab-tiny');
    let replayed: TreeState | null = null;
    let steps = 0;
    const out = await runSearch({
      model,
      prompt: 'a b',
      config: resolveStrategyConfig({ strategy: 'beam', numBeams: 3, maxNewTokens: 5 }),
      onStart: (tree) => (replayed = tree),
      onPatches: (patches) => {
        steps++;
        replayed = applyPatches(replayed!, patches);
      },
    });
    expect(steps).toBeGreaterThan(1);
    expect(JSON.parse(JSON.stringify(replayed))).toEqual(JSON.parse(JSON.stringify(out.tree)));
  });

  it('reports progress and stops between steps when cancelled, with a partial result', async () => {
    const model = await fixtureModel('lab-tiny');
    const controller = new AbortController();
    const fractions: number[] = [];
    const out = await runSearch({
      model,
      prompt: 'a b',
      config: resolveStrategyConfig({ strategy: 'sampling', n: 50, maxNewTokens: 40, seed: 1 }),
      signal: controller.signal,
      onProgress: (p) => {
        fractions.push(p.fraction);
        if (fractions.length === 3) controller.abort();
      },
    });
    expect(out.result.cancelled).toBe(true);
    expect(fractions).toHaveLength(3);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(out.stats.forwardPasses).toBe(3);
    expect(out.result.nBest.length).toBeGreaterThan(0);
  });

  it('stats agree with the tree', async () => {
    const model = await fixtureModel('hf-llama-tiny');
    const out = await runSearch({
      model,
      prompt: 'a',
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 4, topkShown: 2 }),
    });
    const nodes = Object.values(out.tree.nodes);
    expect(out.stats.nodesCreated).toBe(nodes.length);
    expect(out.stats.nodesPruned).toBe(nodes.filter((n) => n.status === 'pruned').length);
    const best = out.result.nBest[0]!;
    expect(out.stats.coveredMass).toBeCloseTo(Math.exp(best.logprob), 9);
    // the prompt once, then one token per step: nothing is recomputed
    expect(out.stats.tokensEvaluated).toBe(encodePrompt(model, 'a').length + out.stats.forwardPasses - 1);
  });

  it('refuses a strategy the model cannot run, naming what is missing', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    await expect(
      runSearch({ model, prompt: 'a', config: resolveStrategyConfig({ strategy: 'latent', mode: 'mixture' }) }),
    ).rejects.toThrow(StrategyUnavailableError);
  });
});
