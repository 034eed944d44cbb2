import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import {
  klDivergence,
  lensDistributions,
  loadTunedLens,
  parseTunedLens,
  tunedLensStatus,
  type TunedLens,
} from '../../../../src/main/engine/lens/tuned-lens';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { createHash } from 'node:crypto';
import { inspectNodeLens } from '../../../../src/main/engine/lens/logit-lens';
import { Evaluator, type Lineage, type NodeInput } from '../../../../src/main/engine/runtime/evaluator';
import { encodePrompt } from '../../../../src/main/engine/search/run-search';

const b64 = (xs: number[]) => Buffer.from(new Float32Array(xs).buffer).toString('base64');

describe('tuned lens file', () => {
  // 2-dim streams, 3 streams (embedding, layer 1, final): translators for streams 0 and 1
  const file = {
    format: 'lattice-lab-tuned-lens',
    version: 1,
    hiddenSize: 2,
    streams: 3,
    translators: [
      { layer: 0, weight: b64([1, 2, 3, 4]), bias: b64([0.5, -1]) },
      { layer: 1, weight: b64([0, 1, 1, 0]), bias: b64([0, 0]) },
    ],
  };
  it('applies W·h + b per stream (row-major, out × in) and is the identity at the last stream', () => {
    const lens = parseTunedLens(file);
    expect([...lens.translate(0, Float32Array.from([1, 10]))]).toEqual([1 + 20 + 0.5, 3 + 40 - 1]);
    expect([...lens.translate(1, Float32Array.from([1, 10]))]).toEqual([10, 1]);
    const h = Float32Array.from([0.25, -7]);
    expect(lens.translate(2, h)).toBe(h);
  });
  it('refuses a translator on the last stream and weights of the wrong size', () => {
    expect(() =>
      parseTunedLens({ ...file, translators: [{ layer: 2, weight: b64([1, 0, 0, 1]), bias: b64([0, 0]) }] }),
    ).toThrow(/identity/);
    expect(() =>
      parseTunedLens({ ...file, translators: [{ layer: 0, weight: b64([1, 0, 0]), bias: b64([0, 0]) }] }),
    ).toThrow(/expected 4/);
    expect(() => parseTunedLens({ ...file, format: 'other' })).toThrow();
  });
  it('a lens trained for other weights is stale and not used', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tuned-'));
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ lattice_lab: { embeddings: 'embeddings.f32' } }));
    fs.writeFileSync(path.join(dir, 'embeddings.f32'), Buffer.from([1, 2, 3, 4]));
    expect(tunedLensStatus(dir).status).toBe('absent');
    const digest = createHash('sha256')
      .update(Buffer.from([1, 2, 3, 4]))
      .digest('hex');
    fs.writeFileSync(path.join(dir, 'tuned-lens.json'), JSON.stringify({ ...file, embeddingsSha256: digest }));
    expect(tunedLensStatus(dir).status).toBe('ok');
    fs.writeFileSync(path.join(dir, 'embeddings.f32'), Buffer.from([1, 2, 3, 5]));
    expect(tunedLensStatus(dir)).toEqual({ lens: null, status: 'stale' });
    fs.rmSync(dir, { recursive: true });
  });
  it('KL divergence of log-probability vectors', () => {
    const p = [Math.log(0.5), Math.log(0.5), -Infinity];
    const q = [Math.log(0.25), Math.log(0.25), Math.log(0.5)];
    expect(klDivergence(p, q)).toBeCloseTo(Math.log(2), 12);
    expect(klDivergence(p, p)).toBe(0);
  });
});

const COT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../resources/models/ontology-cot');

describe('the shipped tuned lens of ontology-cot', () => {
  let model: LoadedModel;
  let tuned: TunedLens;
  beforeAll(async () => {
    model = await loadModel(COT);
    tuned = loadTunedLens(COT)!;
  });
  afterAll(async () => model?.release());

  it('equals the identity at the last layer: the model’s own distribution; earlier layers move towards it', async () => {
    expect(tuned).not.toBeNull();
    expect(tuned.streams).toBe(model.info.numLayers + 1);
    const promptIds = encodePrompt(model, 'ned is a gaulkbus . question : is ned a flilkpus or a flaipus ?');
    const tokens = model.tokenizer.encode('every gaulkbus is a', false);
    const lineage: Lineage = {
      parentOf: (id) => (id === 0 ? null : id - 1),
      inputOf: (id): NodeInput => (id === 0 ? { tokens: promptIds } : { tokens: [tokens[id - 1]!] }),
    };
    const evaluator = new Evaluator(model, lineage);
    const [evaluation] = await evaluator.evaluate([tokens.length], { hiddenStates: true });
    const last = evaluation!.hiddenStates!.length - 1;
    expect(tuned.translate(last, evaluation!.hiddenStates![last]!)).toBe(evaluation!.hiddenStates![last]!);
    const viaTuned = await lensDistributions(model, evaluation!.hiddenStates!, tuned);
    const viaLogit = await lensDistributions(model, evaluation!.hiddenStates!);
    let worst = 0;
    for (let t = 0; t < viaTuned[last]!.length; t++)
      worst = Math.max(worst, Math.abs(viaTuned[last]![t]! - evaluation!.logprobs[t]!));
    expect(worst).toBeLessThan(1e-4);
    // the translators were trained to bring every earlier stream closer to the output
    for (let l = 0; l < last; l++) {
      expect(klDivergence(evaluation!.logprobs, viaTuned[l]!)).toBeLessThan(
        klDivergence(evaluation!.logprobs, viaLogit[l]!),
      );
    }
    // the inspector's readout carries the lens and the KL per layer
    const layers = await inspectNodeLens(model, lineage, tokens.length, { tuned });
    expect(layers.every((l) => l.lens === 'tuned')).toBe(true);
    expect(layers[last]!.klToFinal).toBeLessThan(1e-6);
    expect(layers[0]!.klToFinal).toBeGreaterThan(layers[last]!.klToFinal!);
  });
});
