import { describe, expect, it } from 'vitest';
import { encodePrompt, runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixtureModel } from '../../../helpers/fixtures';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { chiSquareCritical } from '../../../oracles/chi-square';

const PROMPT = 'a b';

async function sample(config: Record<string, unknown>) {
  const model = await fixtureModel('lab-tiny');
  return runSearch({ model, prompt: PROMPT, config: resolveStrategyConfig({ strategy: 'sampling', ...config }) });
}

/** Rollout counts per complete token sequence. */
function countsBySequence(out: Awaited<ReturnType<typeof sample>>): Map<string, number> {
  const byNode = out.result.analysis!.rolloutCounts as Record<string, number>;
  const counts = new Map<string, number>();
  for (const [nodeId, count] of Object.entries(byNode)) {
    const h = out.result.nBest.find((x) => x.nodeId === Number(nodeId))!;
    counts.set(h.tokenIds.join(','), count);
  }
  return counts;
}

describe('sampling (property 3)', () => {
  it('is reproducible for a seed and differs across seeds', async () => {
    const a = await sample({ n: 50, seed: 7, maxNewTokens: 4 });
    const b = await sample({ n: 50, seed: 7, maxNewTokens: 4 });
    const c = await sample({ n: 50, seed: 8, maxNewTokens: 4 });
    expect(b.tree).toEqual(a.tree);
    expect(c.tree).not.toEqual(a.tree);
  });

  it('rollouts that share a prefix share its nodes', async () => {
    const out = await sample({ n: 200, seed: 1, maxNewTokens: 3 });
    const tokenNodes = Object.values(out.tree.nodes).filter((n) => n.kind === 'token');
    const keys = new Set(tokenNodes.map((n) => `${n.parents[0]}:${n.tokenId}`));
    expect(keys.size).toBe(tokenNodes.length);
    expect(tokenNodes.length).toBeLessThan(200 * 3);
    const total = Object.values(out.result.analysis!.rolloutCounts as Record<string, number>).reduce(
      (x, y) => x + y,
      0,
    );
    expect(total).toBe(200);
  });

  it('matches the exact distribution over complete sequences (chi-square, fixed seed)', async () => {
    const model = await fixtureModel('lab-tiny');
    const n = 20000;
    const exact = await enumerateSequences(model, encodePrompt(model, PROMPT), 2);
    const counts = countsBySequence(await sample({ n, seed: 12345, maxNewTokens: 2 }));
    // pool cells with small expectations so that the chi-square approximation holds
    let statistic = 0;
    let cells = 0;
    let pooledObserved = 0;
    let pooledExpected = 0;
    for (const seq of exact) {
      const expected = n * Math.exp(seq.logprob);
      const observed = counts.get(seq.tokens.join(',')) ?? 0;
      if (expected < 5) {
        pooledObserved += observed;
        pooledExpected += expected;
      } else {
        statistic += (observed - expected) ** 2 / expected;
        cells++;
      }
    }
    if (pooledExpected > 0) {
      statistic += (pooledObserved - pooledExpected) ** 2 / pooledExpected;
      cells++;
    }
    expect(cells).toBeGreaterThan(10);
    expect(statistic).toBeLessThan(chiSquareCritical(cells - 1, 0.001));
    // and a wrong distribution is rejected by the same test: uniform over the sequences
    let wrong = 0;
    for (const seq of exact) {
      const expected = n / exact.length;
      const observed = counts.get(seq.tokens.join(',')) ?? 0;
      wrong += (observed - expected) ** 2 / expected;
    }
    expect(wrong).toBeGreaterThan(chiSquareCritical(exact.length - 1, 0.001));
  });

  it('samples only what top-k leaves: with top-k 1 every rollout is the greedy path', async () => {
    const model = await fixtureModel('lab-tiny');
    const greedy = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 4 }),
    });
    const out = await sample({ n: 30, seed: 3, topK: 1, maxNewTokens: 4 });
    expect(out.result.nBest).toHaveLength(1);
    expect(out.result.nBest[0]!.tokenIds).toEqual(greedy.result.nBest[0]!.tokenIds);
  });
});
