import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultModelFolder } from '../engine/model/default-model';

/**
 * The folder opened when the researcher names none: the bundled model (or LATTICE_LAB_MODEL); in a
 * source checkout without a trained model yet, the tiny test fixture so the app still works end to end.
 */
export function startupModelFolder(): string | null {
  const bundled = defaultModelFolder();
  if (bundled) return bundled;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const fixture = path.join(dir, 'test', 'fixtures', 'models', 'lab-tiny');
    if (fs.existsSync(path.join(fixture, 'config.json'))) return fixture;
    dir = path.dirname(dir);
  }
  return null;
}
