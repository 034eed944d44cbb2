import * as fs from 'node:fs';
import * as path from 'node:path';

/** The built renderer: out/renderer, found from out/main (built) or src/main/serve (source). */
export function rendererFolder(from: string): string {
  if (process.env.LATTICE_LAB_RENDERER) return process.env.LATTICE_LAB_RENDERER;
  let dir = from;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'out', 'renderer');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    const sibling = path.join(dir, 'renderer');
    if (path.basename(dir) === 'out' && fs.existsSync(path.join(sibling, 'index.html'))) return sibling;
    dir = path.dirname(dir);
  }
  return path.resolve('out', 'renderer');
}
