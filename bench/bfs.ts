import type { LoadedModel } from '../src/main/engine/model/load-model';
import { runSearch } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../src/shared/strategies';
import type { Measured } from './engine';

/** The ceiling batching can reach on this model: raw decoder passes of `batch` one-token rows over a `past`-long cache. */
async function rawBatchRate(model: LoadedModel, batch: number, past: number, passes = 30): Promise<number> {
  const { numLayers, numKvHeads, headDim, type } = model.decoder.kvShape;
  const hidden = model.info.hiddenSize;
  const size = batch * numKvHeads * past * headDim;
  const make = () => (type === 'float16' ? new Uint16Array(size) : new Float32Array(size).fill(0.01));
  const kv = { keys: [] as any[], values: [] as any[], batch, length: past };
  for (let l = 0; l < numLayers; l++) {
    kv.keys.push(make());
    kv.values.push(make());
  }
  const request = {
    batch,
    seq: 1,
    past: kv,
    ...(model.info.convention === 'lab' ? { inputsEmbeds: new Float32Array(batch * hidden!).fill(0.1) } : { inputIds: new Array(batch).fill(1) }),
  };
  for (let i = 0; i < 3; i++) await model.decoder.forward(request);
  const started = performance.now();
  for (let i = 0; i < passes; i++) await model.decoder.forward(request);
  return (batch * passes) / ((performance.now() - started) / 1000);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * Breadth-first search's batched throughput: tokens evaluated per second by BFS (a whole frontier per forward
 * pass) against greedy (one token per pass) on the same model and prompt, side by side; medians of repeated runs.
 * Target: BFS ≥ 4× greedy from batching. EOS is ignored in both so that every run has the same length.
 * Prints nothing itself; returns rows for bench/run.ts.
 */
export async function benchBfs(loaded: LoadedModel, prompt?: string, repeats = 5): Promise<Measured[]> {
  const text = prompt ?? loaded.tokenizer.decode([1, 2, 3]);
  // EOS off for both, so that every run goes the full length and per-run setup does not dominate the rates
  const model: LoadedModel = { ...loaded, info: { ...loaded.info, eosTokenIds: [] } };
  const maxNewTokens = 32;
  const greedyConfig = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 0 });
  const bfsConfig = (width: number, merge: object) =>
    resolveStrategyConfig({ strategy: 'bfs', maxNewTokens, topkShown: 0, topK: 4, topP: 1, width, merge });
  const variants = [
    { name: 'BFS W=8', config: bfsConfig(8, { kind: 'none' }) },
    { name: 'BFS W=32', config: bfsConfig(32, { kind: 'none' }) },
    { name: 'BFS W=32 merge text', config: bfsConfig(32, { kind: 'text' }) },
  ];
  const greedyRates: number[] = [];
  const rates = variants.map(() => [] as number[]);
  const passes = variants.map(() => [] as number[]);
  // one warm-up of each, then measured runs
  await runSearch({ model, prompt: text, config: greedyConfig });
  for (const v of variants) await runSearch({ model, prompt: text, config: v.config });
  for (let r = 0; r < repeats; r++) {
    const greedy = await runSearch({ model, prompt: text, config: greedyConfig });
    greedyRates.push(greedy.stats.tokensEvaluated / (greedy.stats.wallTimeMs / 1000));
    for (const [i, v] of variants.entries()) {
      const out = await runSearch({ model, prompt: text, config: v.config });
      rates[i]!.push(out.stats.tokensEvaluated / (out.stats.wallTimeMs / 1000));
      passes[i]!.push(out.stats.tokensEvaluated / Math.max(1, out.stats.forwardPasses));
    }
  }
  const greedy = median(greedyRates);
  const rows: Measured[] = [{ name: 'greedy tokens evaluated', value: greedy, unit: 'tokens/s' }];
  // context for the ratios: what onnxruntime alone gains from a batch of 32 over a batch of 1 on this model
  const raw1 = await rawBatchRate(model, 1, 32);
  const raw32 = await rawBatchRate(model, 32, 32);
  rows.push({ name: 'raw decoder batch-32 / batch-1 (ceiling)', value: raw32 / raw1, unit: '×' });
  variants.forEach((v, i) => {
    rows.push({ name: `${v.name} tokens evaluated`, value: median(rates[i]!), unit: 'tokens/s' });
    rows.push({ name: `${v.name} tokens per forward pass`, value: median(passes[i]!), unit: 'tokens' });
    rows.push({ name: `${v.name} / greedy (target ≥ 4)`, value: median(rates[i]!) / greedy, unit: '×' });
  });
  return rows;
}
