import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { compileInterventions } from '../../../../src/main/engine/intervention/compile';
import { makeDirection } from '../../../../src/main/engine/intervention/make-direction';
import { readDirectionFile, writeDirectionFile } from '../../../../src/main/engine/intervention/direction-file';
import type { DirectionFile } from '../../../../src/shared/intervention';
import { fixturePath } from '../../../helpers/fixtures';

// written by scripts/model/steer_reference.py (torch, weights rebuilt from the folder's graph)
const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../fixtures/steering/ontology-cot.json'), 'utf8'),
);
const folder = path.join(resourcesFolder(), 'models/ontology-cot');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-directions-'));
let model: LoadedModel;

beforeAll(async () => {
  model = await loadModel(folder);
});
afterAll(async () => {
  await model.release();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function saved(name: string, direction: DirectionFile): string {
  const file = path.join(scratch, name);
  writeDirectionFile(file, direction);
  return file;
}

const greedy = (maxNewTokens: number) => resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 3 });

function embed(ids: number[]): Float32Array {
  const h = model.info.hiddenSize!;
  const out = new Float32Array(ids.length * h);
  ids.forEach((t, i) => out.set(model.embeddings!.subarray(t * h, (t + 1) * h), i * h));
  return out;
}

describe('steering and ablation on the bundled model', () => {
  it('makes the same direction as the torch reference (mean residual difference at the last prompt token)', async () => {
    const made = await makeDirection(model, {
      positive: reference.positive,
      negative: reference.negative,
      layers: reference.layers,
    });
    expect(made.model).toBe('ontology-cot');
    for (const layer of reference.layers as number[]) {
      const torch: number[] = reference.direction.layers[String(layer)];
      const ours = made.layers[String(layer)]!;
      const norm = Math.hypot(...torch);
      expect(norm).toBeGreaterThan(1);
      ours.forEach((v, j) => expect(Math.abs(v - torch[j]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(torch[j]!))));
    }
  });

  it('a zero direction gives the baseline run bit for bit', async () => {
    const zero = saved('zero.json', {
      ...reference.direction,
      layers: {
        '1': new Array(128).fill(0),
        '2': new Array(128).fill(0),
        '3': new Array(128).fill(0),
        '4': new Array(128).fill(0),
      },
    });
    const inputs = compileInterventions(model, [{ kind: 'steer', direction: zero, scale: 7 }]);
    expect(inputs.residualDelta).toBeDefined();
    const prompt = reference.greedy[1].prompt;
    const base = await runSearch({ model, prompt, config: greedy(30) });
    const steered = await runSearch({ model, prompt, config: greedy(30), ...inputs });
    const strip = (t: typeof base.tree) => JSON.stringify(t.order.map((id) => t.nodes[id]));
    expect(strip(steered.tree)).toBe(strip(base.tree));
  });

  it('steered greedy equals the torch reference on 3 prompts (tokens, and log-probabilities within 1e-4)', async () => {
    const file = saved('reference.json', reference.direction);
    const inputs = compileInterventions(model, [{ kind: 'steer', direction: file, scale: reference.scale }]);
    let changed = 0;
    for (const example of reference.greedy) {
      const out = await runSearch({ model, prompt: example.prompt, config: greedy(example.steered.length), ...inputs });
      const path = out.result.nBest[0]!;
      expect(path.tokenIds).toEqual(example.steered.map((s: { token: number }) => s.token));
      const nodes = out.tree.order
        .map((id) => out.tree.nodes[id]!)
        .filter((n) => n.status !== 'pruned' && n.kind === 'token');
      nodes.forEach((n, j) => expect(Math.abs(n.logprob - example.steered[j].logprob)).toBeLessThan(1e-4));
      if (JSON.stringify(example.plain) !== JSON.stringify(example.steered)) changed++;
    }
    // the scale is large enough that the reference is a real test of the steered path
    expect(changed).toBeGreaterThanOrEqual(2);
  });

  it('after ablation the residual stream has no component along the direction at the ablated layers', async () => {
    const file = saved('ablate.json', reference.direction);
    const { residualAblate } = compileInterventions(model, [{ kind: 'ablate', direction: file }]);
    const ids: number[] = reference.ablation.input_ids;
    const h = model.info.hiddenSize!;
    const L = model.info.numLayers;
    const out = await model.decoder.forward({
      batch: 1,
      seq: ids.length,
      inputsEmbeds: embed(ids),
      past: null,
      residualAblate,
      wantHiddenStates: true,
    });
    const plain = await model.decoder.forward({
      batch: 1,
      seq: ids.length,
      inputsEmbeds: embed(ids),
      past: null,
      wantHiddenStates: true,
    });
    const component = (states: Float32Array, layer: number, pos: number) => {
      let dot = 0;
      for (let j = 0; j < h; j++)
        dot += states[(layer * ids.length + pos) * h + j]! * residualAblate![(layer - 1) * h + j]!;
      return dot;
    };
    for (let pos = 0; pos < ids.length; pos++) {
      for (const layer of reference.layers as number[]) {
        expect(Math.abs(component(out.hiddenStates!, layer, pos))).toBeLessThan(1e-4);
        // the plain stream does point along it: the ablation removed something
        if (pos === ids.length - 1) expect(Math.abs(component(plain.hiddenStates!, layer, pos))).toBeGreaterThan(0.1);
      }
    }
    // log-probabilities equal torch's with the same ablation
    const vocab = model.info.vocabSize;
    (reference.ablation.gold_logprobs as number[]).forEach((gold, j) => {
      const row = out.logits.subarray(j * vocab, (j + 1) * vocab);
      let max = -Infinity;
      for (const v of row) max = Math.max(max, v);
      let z = 0;
      for (const v of row) z += Math.exp(v - max);
      expect(Math.abs(row[ids[j + 1]!]! - max - Math.log(z) - gold)).toBeLessThan(1e-4);
    });
    // zero rows are an exact no-op
    const zeros = await model.decoder.forward({
      batch: 1,
      seq: ids.length,
      inputsEmbeds: embed(ids),
      past: null,
      residualAblate: new Float32Array(L * h),
      wantHiddenStates: true,
    });
    expect(Buffer.from(zeros.logits.buffer).equals(Buffer.from(plain.logits.buffer))).toBe(true);
  });

  it('refuses a direction made on another model or another width, and ablation on a graph without the input', async () => {
    const other = saved('other.json', { ...reference.direction, model: 'some-other-model' });
    expect(() => compileInterventions(model, [{ kind: 'steer', direction: other, scale: 1 }])).toThrow(
      /made on model "some-other-model", not "ontology-cot"/,
    );
    const narrow = saved('narrow.json', {
      ...reference.direction,
      hiddenSize: 64,
      layers: { '2': new Array(64).fill(1) },
    });
    expect(() => compileInterventions(model, [{ kind: 'steer', direction: narrow, scale: 1 }])).toThrow(
      /width 64; ontology-cot's residual stream has width 128/,
    );
    const file = saved('ok.json', reference.direction);
    expect(() => compileInterventions(model, [{ kind: 'steer', direction: file, scale: 1, layers: [4] }])).toThrow(
      /no vector for layer 4/,
    );
    fs.writeFileSync(path.join(scratch, 'broken.json'), JSON.stringify({ ...reference.direction, version: 2 }));
    expect(() => readDirectionFile(path.join(scratch, 'broken.json'))).toThrow(/not a direction file: version/);
    const tiny = await loadModel(fixturePath('lab-tiny'));
    const tinyDirection = saved('tiny.json', {
      ...reference.direction,
      model: 'lab-tiny',
      hiddenSize: 16,
      layers: { '1': new Array(16).fill(1) },
    });
    expect(() => compileInterventions(tiny, [{ kind: 'ablate', direction: tinyDirection, scale: 1 }])).toThrow(
      /ablation is not supported by this graph/,
    );
    expect(
      compileInterventions(tiny, [{ kind: 'steer', direction: tinyDirection, scale: 1 }]).residualDelta,
    ).toBeDefined();
    await tiny.release();
  });
});
