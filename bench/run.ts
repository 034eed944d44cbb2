import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/main/engine/model/load-model';
import { defaultModelFolder } from '../src/main/engine/model/default-model';
import { loadTaskFiles } from '../src/main/engine/task/task-files';
import { benchEngine } from './engine';
import { benchBatching } from './batching';
import { benchTransformersJs } from './transformers-js';
import { ensureGpt2SizeFolder } from './gpt2-size';
import { formatRow, type Measured } from './measure';
import { rerunWithEngineAllocatorEnv } from '../src/main/engine/runtime/allocator-env';

// the bench measures the engine as its process runs it: under the engine's allocator settings
const rerun = rerunWithEngineAllocatorEnv();
if (rerun !== null) process.exit(rerun);

const here = path.dirname(fileURLToPath(import.meta.url));
const SECTIONS = ['engine', 'transformers.js', 'batching', 'eval', 'memory', 'renderer'];

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    repeats: { type: 'string' },
    'max-new-tokens': { type: 'string' },
    sections: { type: 'string' },
  },
});

function print(section: string, rows: Measured[]): void {
  if (rows.length === 0) return;
  console.log(`\n## ${section}`);
  for (const r of rows) console.log(formatRow(r));
}

/** Optional sections other parts of the lab contribute (renderer). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- optional bench sections have different signatures
async function optional(file: string, exportName: string): Promise<((...args: any[]) => Promise<Measured[]>) | null> {
  if (!fs.existsSync(path.join(here, file))) return null;
  const mod = await import(`./${file}`);
  return mod[exportName] ?? null;
}

// --model DIR | gpt2-size (the cached GPT-2-size random-weight folder, built on demand); the bundled model by default
const gpt2Size = values.model === 'gpt2-size';
const folder = gpt2Size
  ? ensureGpt2SizeFolder()
  : (values.model ?? defaultModelFolder() ?? path.join(here, '../test/fixtures/models/lab-tiny'));
const sections = new Set((values.sections ?? SECTIONS.join(',')).split(','));
const model = await loadModel(folder);
const large = model.info.vocabSize > 10_000;
// a bundled-model run takes tens of milliseconds: more pairs keep the median ratio steady on a busy machine
const repeats = Number(values.repeats ?? (large ? 7 : 40));
// engine / raw is a ratio of totals: on this shared machine its fifths of 40 bundled pairs spread over ±10%, and it
// settles only over a few hundred; a GPT-2-size pair takes ~3 s, and its fifths of 20 pairs still spread over ±5%
const enginePairs = Number(values.repeats ?? (large ? 40 : 300));
const maxNewTokens = Number(values['max-new-tokens'] ?? (large ? 32 : 48));
const task = loadTaskFiles(model.info.folder);
const prompt = task?.test[0]?.prompt ?? 'the quick brown fox jumps over the lazy dog';
const cpus = os.cpus();
console.log(
  `Lattice Lab benchmark — model ${model.info.name} (${model.info.convention}, ${model.info.numLayers} layers, width ${model.info.hiddenSize ?? '?'}, vocab ${model.info.vocabSize})`,
);
console.log(
  `machine: ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}, node ${process.version}`,
);
console.log(
  `prompt ${JSON.stringify(prompt)}; ${maxNewTokens} new tokens, EOS off; interleaved runs of each side, ${enginePairs} for engine / raw (from their totals), ${repeats} for batching (medians); ratios side by side`,
);
// the targets: a GPT-2-size model is dominated by onnxruntime, the tiny bundled model by per-step JavaScript
const targets = large ? { engine: 0.97, beam: 0.9, bfs: 0.9 } : { engine: 0.95, beam: 0.6, bfs: undefined };

if (sections.has('engine')) {
  const oneThread = model.sessionOptions.intraOpNumThreads === 1 ? null : await loadModel(folder, { threads: 1 });
  print(
    'engine greedy vs the raw onnxruntime loop',
    await benchEngine(model, oneThread, prompt, { maxNewTokens, repeats: enginePairs, target: targets.engine }),
  );
  await oneThread?.release();
}
if (sections.has('transformers.js'))
  print('transformers.js anchor', await benchTransformersJs(model, prompt, maxNewTokens, repeats));
if (sections.has('batching')) {
  print(
    'batching',
    await benchBatching(model, prompt, {
      maxNewTokens,
      repeats,
      // a bundled-model run takes milliseconds: three of each kind a round
      runsPerRound: large ? 1 : 3,
      beamTarget: targets.beam,
      bfsTarget: targets.bfs,
    }),
  );
}
if (sections.has('eval') && task) {
  const evalBench = await optional('eval.ts', 'benchEval');
  if (evalBench) print('batched evaluation (greedy, test split)', await evalBench(model, task));
}
await model.release();
if (sections.has('memory')) {
  const memory = await optional('memory.ts', 'benchMemory');
  if (memory) print('memory', await memory(folder));
}
if (sections.has('renderer') && !values.model) {
  const renderer = await optional('renderer.ts', 'benchRenderer');
  if (renderer) print('renderer', await renderer());
}
