import { loadModel } from '../src/main/engine/model/load-model';
import { runSearch, SearchFailedError } from '../src/main/engine/search/run-search';
import { DEFAULT_KV_BUDGET_BYTES } from '../src/main/engine/runtime/evaluator';
import { loadTaskFiles } from '../src/main/engine/task/task-files';
import { resolveStrategyConfig } from '../src/shared/strategies';

const MiB = 1024 * 1024;
const loaded = await loadModel(process.argv[2]!);
const model = { ...loaded, info: { ...loaded.info, eosTokenIds: [] } };
const prompt = loadTaskFiles(model.info.folder)?.test[0]?.prompt ?? 'the quick brown fox jumps over the lazy dog';
const config = resolveStrategyConfig({
  strategy: 'bfs',
  maxNewTokens: 10,
  topkShown: 0,
  topK: 8,
  topP: 1,
  width: 4096,
  merge: { kind: 'none' },
});
const started = performance.now();
let report: Record<string, unknown>;
try {
  const out = await runSearch({ model, prompt, config });
  report = { peakKvMiB: out.stats.peakKvBytes / MiB, nodes: out.stats.nodesCreated };
} catch (err) {
  if (!(err instanceof SearchFailedError)) throw err;
  report = {
    refused: err.message,
    peakKvMiB: err.partial.stats.peakKvBytes / MiB,
    nodes: err.partial.stats.nodesCreated,
  };
}
// maxRSS is in KiB
console.log(
  JSON.stringify({
    ...report,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    budgetMiB: DEFAULT_KV_BUDGET_BYTES / MiB,
    seconds: (performance.now() - started) / 1000,
  }),
);
await loaded.release();
