import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { lensLogits } from '../../../../src/main/engine/lens/logit-lens';
import { logSoftmax } from '../../../../src/main/engine/math/log-softmax';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';

const folder = path.join(resourcesFolder(), 'models/ontology-cot');
const reference = JSON.parse(fs.readFileSync(path.join(folder, 'reference.json'), 'utf8'));

function embed(model: LoadedModel, ids: number[]): Float32Array {
  const h = model.info.hiddenSize!;
  const out = new Float32Array(ids.length * h);
  ids.forEach((t, i) => out.set(model.embeddings!.subarray(t * h, (t + 1) * h), i * h));
  return out;
}

async function fullPass(model: LoadedModel, ids: number[], residualDelta?: Float32Array) {
  return model.decoder.forward({
    batch: 1,
    seq: ids.length,
    inputsEmbeds: embed(model, ids),
    past: null,
    residualDelta,
    wantHiddenStates: true,
  });
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('the bundled model resources/models/ontology-cot', () => {
  it("reproduces the training code's log-probabilities and final hidden state (1e-4)", async () => {
    const model = await loadModel(folder);
    const vocab = model.info.vocabSize;
    for (const example of [...reference.examples, reference.residual_delta_example]) {
      const delta = example.residual_delta
        ? Float32Array.from((example.residual_delta as number[][]).flat())
        : undefined;
      const out = await fullPass(model, example.input_ids, delta);
      const n = example.input_ids.length;
      (example.gold_logprobs as number[]).forEach((gold, j) => {
        const lp = logSoftmax(out.logits.subarray(j * vocab, (j + 1) * vocab));
        expect(Math.abs(lp[example.input_ids[j + 1]]! - gold)).toBeLessThan(1e-4);
      });
      for (const [position, row] of Object.entries(example.full_logprobs as Record<string, number[]>)) {
        const p = Number(position);
        expect(maxDiff(logSoftmax(out.logits.subarray(p * vocab, (p + 1) * vocab)), row)).toBeLessThan(1e-4);
      }
      const h = model.info.hiddenSize!;
      expect(maxDiff(out.lastHidden!.subarray((n - 1) * h, n * h), example.last_hidden_state_last)).toBeLessThan(1e-4);
    }
    await model.release();
  });

  it('greedy through the engine equals the training code’s greedy continuation', async () => {
    const model = await loadModel(folder);
    for (const example of reference.examples.slice(0, 2)) {
      const prompt = model.tokenizer.decode(example.input_ids.slice(0, example.prompt_length), true);
      const out = await runSearch({
        model,
        prompt,
        config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 60, topkShown: 0 }),
      });
      expect(out.result.nBest[0]!.tokenIds).toEqual(example.greedy_ids);
    }
    await model.release();
  });

  it('a zero residual_delta changes nothing and the logit lens at the last layer is the model itself', async () => {
    const model = await loadModel(folder);
    const ids: number[] = reference.examples[0].input_ids.slice(0, 20);
    const L = model.info.numLayers;
    const h = model.info.hiddenSize!;
    const plain = await fullPass(model, ids);
    const zero = await fullPass(model, ids, new Float32Array(L * h));
    expect(maxDiff(plain.logits, zero.logits)).toBe(0);
    const steered = await fullPass(model, ids, new Float32Array(L * h).fill(0.5));
    expect(maxDiff(plain.logits, steered.logits)).toBeGreaterThan(1e-2);
    // hidden_states[L] is the residual stream before the final norm: the lens applies that norm and the unembedding
    const last = plain.hiddenStates!.subarray((L * ids.length + ids.length - 1) * h, (L * ids.length + ids.length) * h);
    const lens = await lensLogits(model, Float32Array.from(last));
    const vocab = model.info.vocabSize;
    expect(maxDiff(lens, plain.logits.subarray((ids.length - 1) * vocab, ids.length * vocab))).toBeLessThan(1e-4);
    await model.release();
  });
});
