import { afterAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { runSearch, type RunOutput } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { TreeNode } from '../../../../src/shared/tree';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import { varentropyOf } from '../../../../src/main/engine/strategies/adaptive';
import { fixtureModel } from '../../../helpers/fixtures';

// thresholds that no distribution reaches: neither test can pass
const NEVER = { entropy: null, varentropy: null };
const ALWAYS = { entropy: 0, varentropy: null };

/** The tree as comparable data: every node's token, parents, status and score, in creation order. */
function shape(out: RunOutput) {
  return out.tree.order.map((id) => {
    const n = out.tree.nodes[id]!;
    return [n.tokenId, n.parents, n.status, n.score, n.depth, n.entropy];
  });
}

const best = (out: RunOutput) => out.result.nBest.map((h) => [h.tokenIds, h.score]);

async function compareOn(model: LoadedModel, prompt: string, maxNewTokens: number) {
  const run = (settings: Record<string, unknown>) =>
    runSearch({ model, prompt, config: resolveStrategyConfig({ maxNewTokens, topkShown: 2, ...settings }) });
  const greedy = await run({ strategy: 'greedy' });
  const never = await run({ strategy: 'adaptive', ...NEVER, topK: 3, width: 4 });
  expect(never.result.nBest[0]!.tokenIds).toEqual(greedy.result.nBest[0]!.tokenIds);
  expect(never.result.nBest[0]!.score).toBe(greedy.result.nBest[0]!.score);
  // one hypothesis all the way: no node has a second child
  expect(never.tree.order.length).toBe(greedy.result.nBest[0]!.tokenIds.length + 1);
  for (const merge of [{ kind: 'none' }, { kind: 'text' }]) {
    const bfs = await run({ strategy: 'bfs', topK: 3, topP: 0.9, width: 4, merge });
    const always = await run({ strategy: 'adaptive', ...ALWAYS, topK: 3, topP: 0.9, width: 4, merge });
    expect(shape(always)).toEqual(shape(bfs));
    expect(best(always)).toEqual(best(bfs));
    // a zero varentropy threshold is BFS too
    const always2 = await run({
      strategy: 'adaptive',
      entropy: null,
      varentropy: 0,
      topK: 3,
      topP: 0.9,
      width: 4,
      merge,
    });
    expect(shape(always2)).toEqual(shape(bfs));
  }
}

function childrenOf(nodes: TreeNode[], id: number): TreeNode[] {
  return nodes.filter((n) => n.parents[0] === id);
}

describe('adaptive branching', () => {
  it('is greedy with no passable threshold and BFS with a zero threshold (HF-layout fixtures)', async () => {
    for (const name of ['hf-gpt2-tiny', 'hf-llama-tiny']) await compareOn(await fixtureModel(name), 'a b', 4);
  });

  let bundled: LoadedModel | null = null;
  afterAll(async () => bundled?.release());

  it('is greedy with no passable threshold and BFS with a zero threshold (bundled model)', async () => {
    bundled = await loadModel(path.join(resourcesFolder(), 'models/ontology-cot'));
    await compareOn(bundled, 'ned is a gaulkbus . question : is ned a flilkpus or a flaipus ?', 12);
  });

  it('branches exactly where the entropy reaches the threshold', async () => {
    const model = await fixtureModel('hf-llama-tiny');
    const h = 1.2;
    const out = await runSearch({
      model,
      prompt: 'a b',
      config: resolveStrategyConfig({
        strategy: 'adaptive',
        entropy: h,
        varentropy: null,
        topK: 2,
        topP: 1,
        width: 100,
        maxNewTokens: 4,
      }),
    });
    const nodes = out.tree.order.map((id) => out.tree.nodes[id]!);
    const expanded = nodes.filter((n) => n.entropy !== undefined && childrenOf(nodes, n.id).length > 0);
    expect(expanded.some((n) => n.entropy! >= h)).toBe(true);
    expect(expanded.some((n) => n.entropy! < h)).toBe(true);
    for (const n of expanded) expect(childrenOf(nodes, n.id).length).toBe(n.entropy! >= h ? 2 : 1);
  });

  it('varentropy is the variance of the surprisal', () => {
    const p = [0.5, 0.25, 0.25];
    const lp = Float64Array.from(p.map(Math.log));
    const h = -p.reduce((s, q) => s + q * Math.log(q), 0);
    // surprisals ln2 and 2 ln2 with probabilities 1/2, 1/2: variance (ln2 / 2)²
    expect(varentropyOf(lp, h)).toBeCloseTo((Math.LN2 / 2) ** 2, 12);
    expect(varentropyOf(Float64Array.from([0, -Infinity]), 0)).toBe(0);
  });
});
