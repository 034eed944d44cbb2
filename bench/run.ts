import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../src/main/engine/model/load-model';
import { defaultModelFolder } from '../src/main/engine/model/default-model';
import { loadTaskFiles } from '../src/main/engine/task/task-files';
import { benchEngine, type Measured } from './engine';

const here = path.dirname(fileURLToPath(import.meta.url));

function print(section: string, rows: Measured[]): void {
  console.log(`\n## ${section}`);
  for (const r of rows) console.log(`${r.name.padEnd(44)} ${r.value.toFixed(r.unit === '×' ? 2 : 1).padStart(10)} ${r.unit}`);
}

/** Optional sections other parts of the lab contribute (renderer, breadth-first strategies). */
async function optional(file: string, exportName: string): Promise<((...args: any[]) => Promise<Measured[]>) | null> {
  if (!fs.existsSync(path.join(here, file))) return null;
  const mod = await import(`./${file}`);
  return mod[exportName] ?? null;
}

const folder = process.env.LATTICE_LAB_MODEL ?? defaultModelFolder() ?? path.join(here, '../test/fixtures/models/lab-tiny');
const model = await loadModel(folder);
const task = loadTaskFiles(model.info.folder);
const prompt = task?.test[0]?.prompt ?? model.tokenizer.decode([1, 2, 3]);
console.log(`Lattice Lab benchmark — model ${model.info.name}, prompt ${JSON.stringify(prompt)}`);
console.log('All ratios are measured side by side in this one run (medians of repeated runs).');
print('engine', await benchEngine(model, prompt));
const bfs = await optional('bfs.ts', 'benchBfs');
if (bfs) print('breadth-first search', await bfs(model, prompt));
await model.release();
const renderer = await optional('renderer.ts', 'benchRenderer');
if (renderer) print('renderer', await renderer());
