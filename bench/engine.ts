import * as ort from 'onnxruntime-node';
import type { LoadedModel } from '../src/main/engine/model/load-model';
import { runSearch, encodePrompt } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../src/shared/strategies';
import { argmax } from '../src/main/engine/math/log-softmax';
import type { Measured } from './measure';
import { recordedStepFloor } from './recorded-step-floor';
import { tokenEmbeddings } from './token-embeddings';

/** The model with EOS switched off: every run goes the full length, so runs compare step for step. */
export function withoutEos(model: LoadedModel): LoadedModel {
  return { ...model, info: { ...model.info, eosTokenIds: [] } };
}

/** A raw loop's time in all and after its first pass (the prompt, one row). */
export interface RawLoopTime {
  totalMs: number;
  decodeMs: number;
}

/**
 * The plainest possible greedy loop on the same graph: feed `present` straight back as `past`, no tree, no cache
 * policy. With `rows` > 1, the prompt's cache is repeated into that many rows after the first pass and each row
 * then takes its own argmax: what a batched search would do with no search around it.
 */
export async function rawLoop(
  model: LoadedModel,
  session: ort.InferenceSession,
  promptIds: number[],
  steps: number,
  rows = 1,
): Promise<RawLoopTime> {
  const { numLayers, numKvHeads, headDim, type } = model.decoder.kvShape;
  const hidden = model.info.hiddenSize;
  const lab = model.info.convention === 'lab';
  const started = performance.now();
  let decodeStarted = started;
  let past: Record<string, ort.Tensor> = {};
  const empty = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
  for (let i = 0; i < numLayers; i++) {
    for (const kind of ['key', 'value'])
      past[`past_key_values.${i}.${kind}`] = new ort.Tensor(type, empty, [1, numKvHeads, 0, headDim]);
  }
  let inputs: number[][] = [promptIds];
  let pastLength = 0;
  for (let step = 0; step < steps; step++) {
    const feeds: Record<string, ort.Tensor> = { ...past };
    const batch = inputs.length;
    const seq = inputs[0]!.length;
    // one row (the greedy comparison) is read as it is: the baseline does no work a plain loop would not
    const tokens = batch === 1 ? inputs[0]! : inputs.flat();
    if (lab) {
      feeds.inputs_embeds = new ort.Tensor('float32', tokenEmbeddings(model, tokens), [batch, seq, hidden!]);
    } else {
      feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(tokens, BigInt), [batch, seq]);
    }
    if (session.inputNames.includes('attention_mask')) {
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(batch * (pastLength + seq)).fill(1n), [
        batch,
        pastLength + seq,
      ]);
    }
    if (session.inputNames.includes('position_ids')) {
      const positions = new BigInt64Array(batch * seq);
      for (let j = 0; j < positions.length; j++) positions[j] = BigInt(pastLength + (j % seq));
      feeds.position_ids = new ort.Tensor('int64', positions, [batch, seq]);
    }
    // lab-convention intervention inputs (steering, ablation): zeros change nothing
    for (const name of session.inputNames.filter((n) => n.startsWith('residual_'))) {
      feeds[name] = new ort.Tensor('float32', new Float32Array(numLayers * hidden!), [numLayers, hidden!]);
    }
    if (session.inputNames.includes('use_cache_branch'))
      feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
    const out = await session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const vocab = logits.length / (batch * seq);
    pastLength += seq;
    const next = inputs.map((_, b) => [argmax(logits.subarray(((b + 1) * seq - 1) * vocab, (b + 1) * seq * vocab))]);
    past = {};
    for (let i = 0; i < numLayers; i++) {
      for (const kind of ['key', 'value']) past[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`]!;
    }
    if (step === 0) {
      decodeStarted = performance.now();
      if (rows > 1) past = repeatRows(past, rows);
      inputs = Array.from({ length: rows }, () => next[0]!);
    } else {
      inputs = next;
    }
  }
  const ended = performance.now();
  return { totalMs: ended - started, decodeMs: ended - decodeStarted };
}

/** A one-row cache as `rows` identical rows (the tensors are [1, heads, length, headDim]). */
function repeatRows(past: Record<string, ort.Tensor>, rows: number): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [name, tensor] of Object.entries(past)) {
    const data = tensor.data as Float32Array | Uint16Array;
    const repeated = new (data.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(data.length * rows);
    for (let r = 0; r < rows; r++) repeated.set(data, r * data.length);
    out[name] = new ort.Tensor(tensor.type, repeated, [rows, ...tensor.dims.slice(1)]);
  }
  return out;
}

/** untimed runs of each side before a comparison */
export const WARM_UP_RUNS = 2;

export interface GreedyPair {
  engine: number;
  raw: number;
  /** the recorded-step floor's rate (see recordedStepFloor) */
  floor: number;
  ratio: number;
  /** the ratio over each consecutive fifth of the pairs: how much a shorter measurement would have moved */
  fifths: number[];
}

/** Runs are split into this many consecutive parts, each part's ratio printed beside the whole run's. */
const PARTS = 5;

/**
 * Engine greedy against the raw loop on the engine's own session, interleaved run by run with the recorded-step
 * floor between them; rates are generated tokens per second (one per forward pass in all three) over all the pairs.
 */
export async function engineVsRaw(
  loaded: LoadedModel,
  prompt: string,
  maxNewTokens: number,
  repeats: number,
): Promise<GreedyPair> {
  const model = withoutEos(loaded);
  const promptIds = encodePrompt(model, prompt);
  // the engine's own session: the same options, and no second copy of the weights whose memory placement could
  // make one of the two loops faster by itself
  const session = model.decoder.session;
  const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 0 });
  let engineMs = 0;
  let rawMs = 0;
  let floorMs = 0;
  let passes = 0;
  const partMs = Array.from({ length: PARTS }, () => ({ engine: 0, raw: 0 }));
  // steady state: both loops' code optimised by the JIT before the pairs are timed (the engine has far more of it)
  for (let w = 0; w < WARM_UP_RUNS; w++) {
    await runSearch({ model, prompt, config });
    await rawLoop(model, session, promptIds, maxNewTokens);
    await recordedStepFloor(model, prompt, promptIds, maxNewTokens);
  }
  for (let r = 0; r < repeats; r++) {
    const greedy = await runSearch({ model, prompt, config });
    const steps = greedy.stats.forwardPasses;
    const raw = (await rawLoop(model, session, promptIds, steps)).totalMs;
    rawMs += raw;
    engineMs += greedy.stats.wallTimeMs;
    floorMs += (await recordedStepFloor(model, prompt, promptIds, steps)).totalMs;
    passes += steps;
    const part = partMs[Math.floor((r * PARTS) / repeats)]!;
    part.raw += raw;
    part.engine += greedy.stats.wallTimeMs;
  }
  // totals, not medians of pairs: a garbage collection or a busy neighbour is a real cost of whichever run it lands
  // in, and a run of the bundled model is short enough (tens of milliseconds) for one pause to swing a pair
  return {
    engine: passes / (engineMs / 1000),
    raw: passes / (rawMs / 1000),
    floor: passes / (floorMs / 1000),
    ratio: rawMs / engineMs,
    fifths: partMs.filter((p) => p.engine > 0).map((p) => p.raw / p.engine),
  };
}

/** How far the ratio moved within the run: its lowest and highest over the fifths of the pairs. */
function spread(pair: GreedyPair): string {
  if (pair.fifths.length < 2) return '';
  return `fifths of the pairs ${Math.min(...pair.fifths).toFixed(2)}–${Math.max(...pair.fifths).toFixed(2)}`;
}

/** Engine greedy vs the raw onnxruntime loop (same session), and the one-thread figures beside them. */
export async function benchEngine(
  model: LoadedModel,
  oneThread: LoadedModel | null,
  prompt: string,
  options: { maxNewTokens: number; repeats: number; target: number },
): Promise<Measured[]> {
  const threads = model.sessionOptions.intraOpNumThreads ?? 'default';
  const same = await engineVsRaw(model, prompt, options.maxNewTokens, options.repeats);
  const rows: Measured[] = [
    { name: `raw onnxruntime greedy loop (threads ${threads})`, value: same.raw, unit: 'tokens/s' },
    { name: `engine greedy (threads ${threads})`, value: same.engine, unit: 'tokens/s' },
    {
      name: 'engine / raw, same session',
      value: same.ratio,
      unit: '×',
      atLeast: options.target,
      note: spread(same),
    },
    {
      name: 'recorded-step floor / raw (pass, normaliser, tree update)',
      value: same.floor / same.raw,
      unit: '×',
    },
    { name: 'engine / recorded-step floor (the search machinery)', value: same.engine / same.floor, unit: '×' },
  ];
  if (oneThread) {
    const one = await engineVsRaw(oneThread, prompt, options.maxNewTokens, options.repeats);
    rows.push(
      { name: 'raw onnxruntime greedy loop (1 thread)', value: one.raw, unit: 'tokens/s' },
      { name: 'engine greedy (1 thread)', value: one.engine, unit: 'tokens/s' },
      { name: 'engine / raw, both 1 thread', value: one.ratio, unit: '×', note: spread(one) },
      { name: `raw loop threads ${threads} / 1 thread`, value: same.raw / one.raw, unit: '×' },
    );
  }
  return rows;
}
