import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../src/main/engine/model/load-model';
import { runSearch, encodePrompt } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../src/shared/strategies';
import { argmax } from '../src/main/engine/math/log-softmax';

export interface Measured {
  name: string;
  value: number;
  unit: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The plainest possible greedy loop on the same graph: feed `present` straight back as `past`, no tree, no cache policy. */
async function rawGreedyLoop(model: LoadedModel, session: ort.InferenceSession, promptIds: number[], steps: number): Promise<number> {
  const { numLayers, numKvHeads, headDim } = model.decoder.kvShape;
  const hidden = model.info.hiddenSize;
  const lab = model.info.convention === 'lab';
  const started = performance.now();
  let past: Record<string, ort.Tensor> = {};
  for (let i = 0; i < numLayers; i++) {
    for (const kind of ['key', 'value']) past[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', new Float32Array(0), [1, numKvHeads, 0, headDim]);
  }
  let inputs = promptIds;
  let pastLength = 0;
  for (let step = 0; step < steps; step++) {
    const feeds: Record<string, ort.Tensor> = { ...past };
    const seq = inputs.length;
    if (lab) {
      const embeds = new Float32Array(seq * hidden!);
      inputs.forEach((t, j) => embeds.set(model.embeddings!.subarray(t * hidden!, (t + 1) * hidden!), j * hidden!));
      feeds.inputs_embeds = new ort.Tensor('float32', embeds, [1, seq, hidden!]);
    } else {
      feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(inputs, BigInt), [1, seq]);
    }
    feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(pastLength + seq).fill(1n), [1, pastLength + seq]);
    if (session.inputNames.includes('position_ids')) {
      feeds.position_ids = new ort.Tensor('int64', BigInt64Array.from({ length: seq }, (_, j) => BigInt(pastLength + j)), [1, seq]);
    }
    if (session.inputNames.includes('residual_delta')) {
      feeds.residual_delta = new ort.Tensor('float32', new Float32Array(numLayers * hidden!), [numLayers, hidden!]);
    }
    if (session.inputNames.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
    const out = await session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const vocab = logits.length / seq;
    const next = argmax(logits.subarray((seq - 1) * vocab));
    past = {};
    for (let i = 0; i < numLayers; i++) {
      for (const kind of ['key', 'value']) past[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`]!;
    }
    pastLength += seq;
    inputs = [next];
  }
  return performance.now() - started;
}

/** Engine greedy vs a raw onnxruntime loop, and beam-8's batched throughput vs greedy, measured side by side. */
export async function benchEngine(model: LoadedModel, prompt: string, repeats = 7): Promise<Measured[]> {
  const promptIds = encodePrompt(model, prompt);
  const session = await ort.InferenceSession.create(path.join(model.info.folder, model.info.graphFile), {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const maxNewTokens = 48;
  const greedyConfig = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 0 });
  const beamConfig = resolveStrategyConfig({ strategy: 'beam', numBeams: 8, maxNewTokens, topkShown: 0, earlyStopping: 'never' });
  const engineRates: number[] = [];
  const rawRates: number[] = [];
  const greedyEvalRates: number[] = [];
  const beamEvalRates: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const greedy = await runSearch({ model, prompt, config: greedyConfig });
    const steps = greedy.stats.forwardPasses;
    const rawMs = await rawGreedyLoop(model, session, promptIds, steps);
    // tokens generated per second: one per forward pass in both loops
    engineRates.push(steps / (greedy.stats.wallTimeMs / 1000));
    rawRates.push(steps / (rawMs / 1000));
    greedyEvalRates.push(greedy.stats.tokensEvaluated / (greedy.stats.wallTimeMs / 1000));
    const beam = await runSearch({ model, prompt, config: beamConfig });
    beamEvalRates.push(beam.stats.tokensEvaluated / (beam.stats.wallTimeMs / 1000));
  }
  await session.release();
  const engine = median(engineRates);
  const raw = median(rawRates);
  return [
    { name: 'engine greedy', value: engine, unit: 'tokens/s' },
    { name: 'raw onnxruntime greedy loop', value: raw, unit: 'tokens/s' },
    { name: 'engine / raw (target ≥ 0.95)', value: engine / raw, unit: '×' },
    { name: 'greedy tokens evaluated', value: median(greedyEvalRates), unit: 'tokens/s' },
    { name: 'beam-8 tokens evaluated', value: median(beamEvalRates), unit: 'tokens/s' },
    { name: 'beam-8 / greedy (target ≥ 4)', value: median(beamEvalRates) / median(greedyEvalRates), unit: '×' },
  ];
}
