import type { LoadedModel } from '../src/main/engine/model/load-model';
import { runSearch } from '../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../src/shared/strategies';
import type { Measured } from './engine';

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
  variants.forEach((v, i) => {
    rows.push({ name: `${v.name} tokens evaluated`, value: median(rates[i]!), unit: 'tokens/s' });
    rows.push({ name: `${v.name} tokens per forward pass`, value: median(passes[i]!), unit: 'tokens' });
    rows.push({ name: `${v.name} / greedy (target ≥ 4)`, value: median(rates[i]!) / greedy, unit: '×' });
  });
  return rows;
}
