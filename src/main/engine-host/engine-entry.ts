import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the engine process's entry script is: `engine.js` next to the built main bundle (electron-vite
 * emits it as a second main entry), or `engine-child.ts` when running from source under tsx.
 */
export function engineEntryPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, 'engine-child.ts'),
    path.join(here, 'engine.js'),
    path.join(here, '..', 'engine.js'),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`engine entry not found (looked for ${candidates.join(', ')})`);
  return found;
}
