import type { LoadedModel } from '../src/main/engine/model/load-model';
import type { TaskFiles } from '../src/main/engine/task/task-files';
import { evaluateStrategy, splitTokenBudget } from '../src/main/engine/task/evaluate-split';
import { DEFAULT_CONCURRENCY } from '../src/main/engine/search/run-batch';
import { resolveStrategyConfig } from '../src/shared/strategies';
import type { Measured } from './measure';

/** Rounds of (one by one, batched), each over the whole split: both sides see the same stretch of a noisy machine. */
const ROUNDS = 2;

/** Greedy over the whole test split one example at a time, then batched: the speedup and whether any verdict changed. */
export async function benchEval(model: LoadedModel, files: TaskFiles): Promise<Measured[]> {
  const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: splitTokenBudget(files), topkShown: 0 });
  // both paths warmed up first (the JIT, and the allocator's pages for a batched pass's megabytes of outputs), so
  // that neither side pays for starting cold
  await evaluateStrategy(model, files, config, { limit: 32, concurrency: 1 });
  await evaluateStrategy(model, files, config, { limit: 96, concurrency: DEFAULT_CONCURRENCY });
  let aloneMs = 0;
  let batchedMs = 0;
  let changed = 0;
  let last: { examples: number; accuracy: number } | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    const alone = await evaluateStrategy(model, files, config, { concurrency: 1 });
    const batched = await evaluateStrategy(model, files, config, { concurrency: DEFAULT_CONCURRENCY });
    aloneMs += alone.wallTimeMs;
    batchedMs += batched.wallTimeMs;
    changed += batched.outcomes.filter(
      (o, i) => o.verdict.verdict !== alone.outcomes[i]!.verdict.verdict || o.text !== alone.outcomes[i]!.text,
    ).length;
    last = { examples: alone.examples, accuracy: batched.accuracy };
  }
  return [
    { name: `one by one, ${last!.examples} examples (mean of ${ROUNDS})`, value: aloneMs / ROUNDS / 1000, unit: 's' },
    {
      name: `batched (${DEFAULT_CONCURRENCY} examples at a time, mean of ${ROUNDS})`,
      value: batchedMs / ROUNDS / 1000,
      unit: 's',
    },
    { name: 'speedup', value: aloneMs / batchedMs, unit: '×', atLeast: 3 },
    { name: 'examples whose answer or verdict changed', value: changed, unit: 'examples', atMost: 0 },
    { name: 'accuracy (both)', value: 100 * last!.accuracy, unit: '%' },
  ];
}
