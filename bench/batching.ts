import type { LoadedModel } from '../src/main/engine/model/load-model';
import { encodePrompt, runSearch } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig, type StrategyConfig } from '../src/shared/strategies';
import { emptyKvArray, type KvTensors } from '../src/main/engine/model/kv-tensors';
import { WARM_UP_RUNS, rawLoop, withoutEos } from './engine';
import { median, type Measured } from './measure';

/** Seconds for one raw decoder pass of `batch` one-token rows over a `past`-long cache (onnxruntime alone). */
async function rawPassSeconds(model: LoadedModel, batch: number, past: number): Promise<number> {
  const { numLayers, numKvHeads, headDim } = model.decoder.kvShape;
  const size = batch * numKvHeads * past * headDim;
  const kv: KvTensors = { keys: [], values: [], batch, length: past };
  for (let l = 0; l < numLayers; l++) {
    kv.keys.push(emptyKvArray(model.decoder.kvShape, size));
    kv.values.push(emptyKvArray(model.decoder.kvShape, size));
  }
  const hidden = model.info.hiddenSize;
  const request = {
    batch,
    seq: 1,
    past: kv,
    ...(model.info.convention === 'lab'
      ? { inputsEmbeds: new Float32Array(batch * hidden!).fill(0.1) }
      : { inputIds: new Array(batch).fill(1) }),
  };
  const started = performance.now();
  await model.decoder.forward(request);
  return (performance.now() - started) / 1000;
}

/**
 * Raw tokens evaluated per second at batch 8 over batch 1 for a few interleaved pairs of single passes (same session,
 * a zero cache as long as the middle of a run): what one pass allows, before a loop pays for collecting its outputs.
 */
async function singlePassRatios(model: LoadedModel, past: number, pairs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < pairs; i++) {
    const one = await rawPassSeconds(model, 1, past);
    const eight = await rawPassSeconds(model, 8, past);
    samples.push((8 / eight) * one);
  }
  return samples;
}

/**
 * The ceiling: the raw loop (engine's session, no search around it) at 8 rows over 1 row, tokens evaluated per
 * second after the prompt pass. A loop, not lone passes: onnxruntime-node hands every output back as a fresh
 * buffer, and collecting eight rows' worth each step is a cost of any loop on this runtime, the engine's included.
 */
async function loopCeiling(model: LoadedModel, promptIds: number[], steps: number, runs = 1): Promise<LoopTimes> {
  const session = model.decoder.session;
  let one = Infinity;
  let eight = Infinity;
  for (let r = 0; r < runs; r++) {
    one = Math.min(one, (await rawLoop(model, session, promptIds, steps, 1)).decodeMs);
    eight = Math.min(eight, (await rawLoop(model, session, promptIds, steps, 8)).decodeMs);
  }
  return { one, eight };
}

/** The fastest 1-row and 8-row raw loops' times after the prompt (ms). */
interface LoopTimes {
  one: number;
  eight: number;
}

/** Both loops take steps - 1 passes after the prompt: 8 rows' tokens per second over 1 row's. */
const ceilingOf = ({ one, eight }: LoopTimes) => (8 * one) / eight;

interface TimedRun {
  /** tokens evaluated per second over the whole run */
  rate: number;
  /** the same after the first step (the prompt pass, one row in every strategy): the steps that batching speeds up */
  decodeRate: number;
  perPass: number;
}

/** The fastest of `runs` runs (by their rate after the prompt): what the machine allows when nothing interferes. */
async function fastestRun(
  model: LoadedModel,
  prompt: string,
  config: StrategyConfig,
  promptTokens: number,
  runs: number,
): Promise<TimedRun> {
  let best: TimedRun | null = null;
  for (let r = 0; r < runs; r++) {
    const run = await timedRun(model, prompt, config, promptTokens);
    if (!best || run.decodeRate > best.decodeRate) best = run;
  }
  return best!;
}

/** One run, timed as a whole and from the end of its first step (its first progress report) to its end. */
async function timedRun(model: LoadedModel, prompt: string, config: StrategyConfig, promptTokens: number) {
  let firstStepDone = 0;
  const started = performance.now();
  const out = await runSearch({
    model,
    prompt,
    config,
    onProgress: () => {
      firstStepDone ||= performance.now();
    },
  });
  const ended = performance.now();
  const { tokensEvaluated, forwardPasses } = out.stats;
  return {
    rate: tokensEvaluated / ((ended - started) / 1000),
    decodeRate: (tokensEvaluated - promptTokens) / ((ended - firstStepDone) / 1000),
    perPass: tokensEvaluated / forwardPasses,
  } satisfies TimedRun;
}

/**
 * Batched strategies' tokens evaluated per second over greedy's, interleaved run by run, as a fraction of the ceiling
 * measured in the same run. EOS is off so that every run goes the full length.
 */
export async function benchBatching(
  loaded: LoadedModel,
  prompt: string,
  options: {
    maxNewTokens: number;
    repeats: number;
    /** runs of each kind per round, the fastest kept (a bundled-model run takes milliseconds: one is mostly noise) */
    runsPerRound: number;
    beamTarget: number;
    bfsTarget?: number;
  },
): Promise<Measured[]> {
  const model = withoutEos(loaded);
  const { maxNewTokens } = options;
  const greedy = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 0 });
  const variants: { name: string; config: StrategyConfig; target?: number }[] = [
    {
      name: 'beam-8',
      config: resolveStrategyConfig({
        strategy: 'beam',
        numBeams: 8,
        maxNewTokens,
        topkShown: 0,
        earlyStopping: 'never',
      }),
      target: options.beamTarget,
    },
    {
      name: 'BFS W=8',
      config: resolveStrategyConfig({
        strategy: 'bfs',
        maxNewTokens,
        topkShown: 0,
        topK: 8,
        topP: 1,
        width: 8,
        merge: { kind: 'none' },
      }),
      target: options.bfsTarget,
    },
  ];
  for (let w = 0; w < WARM_UP_RUNS; w++) {
    await runSearch({ model, prompt, config: greedy });
    for (const v of variants) await runSearch({ model, prompt, config: v.config });
  }
  const promptIds = encodePrompt(model, prompt);
  // the first pass of every run evaluates the prompt, one row
  const promptTokens = promptIds.length;
  const middlePast = promptTokens + Math.floor(maxNewTokens / 2);
  await singlePassRatios(model, middlePast, 2);
  await loopCeiling(model, promptIds, maxNewTokens);
  const ceilings: number[] = [];
  const singlePasses: number[] = [];
  const greedyRuns: TimedRun[] = [];
  const runs = variants.map(() => [] as TimedRun[]);
  const wholeRatios = variants.map(() => [] as number[]);
  const decodeRatios = variants.map(() => [] as number[]);
  const faults = variants.map(() => [] as number[]);
  const shares = variants.map(() => [] as number[]);
  const fastestLoops: LoopTimes = { one: Infinity, eight: Infinity };
  for (let r = 0; r < options.repeats; r++) {
    // the machine is shared: the ceiling is measured round by round beside the runs it is compared with
    const loops = await loopCeiling(model, promptIds, maxNewTokens, options.runsPerRound);
    fastestLoops.one = Math.min(fastestLoops.one, loops.one);
    fastestLoops.eight = Math.min(fastestLoops.eight, loops.eight);
    const roundCeiling = ceilingOf(loops);
    ceilings.push(roundCeiling);
    singlePasses.push(...(await singlePassRatios(model, middlePast, 2)));
    const g = await fastestRun(model, prompt, greedy, promptTokens, options.runsPerRound);
    greedyRuns.push(g);
    for (const [i, v] of variants.entries()) {
      const faultsBefore = process.resourceUsage().minorPageFault;
      const run = await fastestRun(model, prompt, v.config, promptTokens, options.runsPerRound);
      faults[i]!.push((process.resourceUsage().minorPageFault - faultsBefore) / options.runsPerRound);
      runs[i]!.push(run);
      wholeRatios[i]!.push(run.rate / g.rate);
      decodeRatios[i]!.push(run.decodeRate / g.decodeRate);
      shares[i]!.push(run.decodeRate / g.decodeRate / roundCeiling);
    }
  }
  // Interference on a shared machine only ever slows a run down, so each kind's fastest run over the whole bench
  // is the steadiest measure of what its code does; the rounds' own shares are printed beside it
  const ceiling = ceilingOf(fastestLoops);
  const fastestGreedy = Math.max(...greedyRuns.map((g) => g.decodeRate));
  const rows: Measured[] = [
    { name: 'raw single passes, batch 8 / batch 1 tokens/s', value: median(singlePasses), unit: '×' },
    {
      name: 'raw loop after the prompt, 8 rows / 1 row tokens/s (ceiling)',
      value: ceiling,
      unit: '×',
      note: `fastest loops of ${options.repeats * options.runsPerRound}; median of the rounds ${median(ceilings).toFixed(2)}×`,
    },
    { name: 'greedy tokens evaluated', value: median(greedyRuns.map((g) => g.rate)), unit: 'tokens/s' },
    {
      name: 'greedy tokens evaluated after the prompt',
      value: median(greedyRuns.map((g) => g.decodeRate)),
      unit: 'tokens/s',
    },
  ];
  variants.forEach((v, i) => {
    const whole = median(wholeRatios[i]!);
    const fastestDecode = Math.max(...runs[i]!.map((x) => x.decodeRate)) / fastestGreedy;
    const roundShares = shares[i]!;
    rows.push(
      { name: `${v.name} tokens evaluated`, value: median(runs[i]!.map((x) => x.rate)), unit: 'tokens/s' },
      { name: `${v.name} tokens per forward pass`, value: median(runs[i]!.map((x) => x.perPass)), unit: 'tokens' },
      // fresh pages for each pass's outputs were most of a batched step's cost (see allocator-env.ts)
      { name: `${v.name} minor page faults per run`, value: median(faults[i]!), unit: 'faults' },
      { name: `${v.name} / greedy, whole runs`, value: whole, unit: '×' },
      {
        name: `${v.name} / greedy after the prompt`,
        value: fastestDecode,
        unit: '×',
        note: `fastest runs; median of the rounds ${median(decodeRatios[i]!).toFixed(2)}×`,
      },
      {
        // the ceiling compares passes of one-token rows: so do the steps after the prompt pass, which is one row
        // of the prompt's length in every strategy and would pull any ratio towards 1
        name: `${v.name} / greedy after the prompt, share of the ceiling`,
        value: fastestDecode / ceiling,
        unit: 'of ceiling',
        note: `fastest runs of each kind; the ${roundShares.length} rounds' own shares: median ${median(roundShares).toFixed(3)}, ${Math.min(...roundShares).toFixed(3)}–${Math.max(...roundShares).toFixed(3)}`,
        ...(v.target !== undefined ? { atLeast: v.target } : {}),
      },
    );
  });
  return rows;
}
