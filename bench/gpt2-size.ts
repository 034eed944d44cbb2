import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the GPT-2-size random-weight folder is cached: outside git, built once (~650 MB, a few minutes). */
export function gpt2SizeFolder(): string {
  const cache = process.env.LATTICE_LAB_CACHE ?? path.join(os.homedir(), '.cache', 'lattice-lab');
  return path.join(cache, 'gpt2-size-random');
}

/** The folder, built on first use with the repository's export script (Debian's python3 with torch). */
export function ensureGpt2SizeFolder(): string {
  const folder = gpt2SizeFolder();
  if (fs.existsSync(path.join(folder, 'onnx', 'model.onnx'))) return folder;
  console.log(`building a GPT-2-size random-weight model in ${folder} (once; a few minutes)…`);
  fs.mkdirSync(path.dirname(folder), { recursive: true });
  execFileSync('/usr/bin/python3', [path.join(here, '../scripts/model/make_gpt2_size.py'), folder], {
    stdio: 'inherit',
  });
  return folder;
}
