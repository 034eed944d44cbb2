import { describe, expect, it } from 'vitest';
import { runSearch, encodePrompt } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { inspectTreeNodeLens, lensLogits, lineageOfTree } from '../../../../src/main/engine/lens/logit-lens';
import { Evaluator } from '../../../../src/main/engine/runtime/evaluator';
import { entropyOf } from '../../../../src/main/engine/math/log-softmax';
import { fixtureModel } from '../../../helpers/fixtures';
import { fullPassLogprobs } from '../../../oracles/full-pass';

const PROMPT = 'a b';

describe.each(['lab-tiny', 'lab-bigram-tiny'])('logit lens on %s (property 6)', (fixture) => {
  it('at the last layer reproduces the model’s own next-token distribution, for the root and deeper nodes', async () => {
    const model = await fixtureModel(fixture);
    const promptIds = encodePrompt(model, PROMPT);
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 3, topkShown: 2 }),
    });
    const tree = out.tree;
    const onPath = tree.order.filter(
      (id) => tree.nodes[id]!.status !== 'pruned' && tree.nodes[id]!.status !== 'finished',
    );
    const pruned = tree.order.find((id) => tree.nodes[id]!.status === 'pruned')!;
    for (const id of [...onPath, pruned]) {
      const layers = await inspectTreeNodeLens(model, tree, promptIds, id, { topK: model.info.vocabSize });
      expect(layers.map((l) => l.layer)).toEqual([...Array(model.info.numLayers + 1).keys()]);
      const tokens: number[] = [];
      for (let n = tree.nodes[id]!; n.parents.length > 0; n = tree.nodes[n.parents[0]!]!) tokens.unshift(n.tokenId!);
      const passes = await fullPassLogprobs(model, [...promptIds, ...tokens]);
      const truth = passes[passes.length - 1]!;
      const last = layers[layers.length - 1]!;
      expect(last.topk).toHaveLength(model.info.vocabSize);
      for (const t of last.topk) expect(Math.abs(t.logprob - truth[t.tokenId]!)).toBeLessThan(1e-4);
      expect(Math.abs(last.entropy - entropyOf(truth))).toBeLessThan(1e-4);
      // earlier layers are a different readout (the lens is not the identity)
      const first = layers[0]!;
      expect(Math.max(...first.topk.map((t) => Math.abs(t.logprob - truth[t.tokenId]!)))).toBeGreaterThan(1e-3);
    }
  });

  it('raw lens logits of the last residual stream equal the model logits to 1e-4', async () => {
    const model = await fixtureModel(fixture);
    const promptIds = encodePrompt(model, PROMPT);
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 2 }),
    });
    const evaluator = new Evaluator(model, lineageOfTree(out.tree, promptIds));
    const evaluations = await evaluator.evaluate([0], { hiddenStates: true });
    const [e] = evaluations;
    const lens = await lensLogits(model, e!.hiddenStates![model.info.numLayers]!);
    let diff = 0;
    for (let i = 0; i < lens.length; i++) diff = Math.max(diff, Math.abs(lens[i]! - e!.logits[i]!));
    expect(diff).toBeLessThan(1e-4);
  });
});

describe('logit lens availability', () => {
  it('is refused on an HF export with a message naming what is missing', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 1 }),
    });
    await expect(inspectTreeNodeLens(model, out.tree, promptIds, 1)).rejects.toThrow(
      /hidden_states output.*logit-lens graph|logit-lens graph/,
    );
  });
});
