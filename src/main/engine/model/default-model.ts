import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's resources folder, found from this file whether it runs from src/ (tsx) or out/ (built). */
export function resourcesFolder(): string {
  if (process.env.LATTICE_LAB_RESOURCES) return process.env.LATTICE_LAB_RESOURCES;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'resources');
    if (fs.existsSync(path.join(candidate, 'models'))) return candidate;
    dir = path.dirname(dir);
  }
  // a packaged Electron app keeps its resources beside the asar
  const packaged = (process as { resourcesPath?: string }).resourcesPath;
  if (packaged && fs.existsSync(path.join(packaged, 'models'))) return packaged;
  return path.resolve('resources');
}

/** Bundled models, preferred one first (the chain-of-facts model is the default). */
export const PREFERRED_MODELS = ['ontology-cot'];

export function bundledModelFolders(): string[] {
  const root = path.join(resourcesFolder(), 'models');
  if (!fs.existsSync(root)) return [];
  const folders = fs
    .readdirSync(root)
    .filter((name) => fs.existsSync(path.join(root, name, 'config.json')))
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return folders.map((name) => path.join(root, name));
}

function rank(name: string): number {
  const i = PREFERRED_MODELS.indexOf(name);
  return i === -1 ? PREFERRED_MODELS.length : i;
}

/** LATTICE_LAB_MODEL, else the first bundled model; null when there is none. */
export function defaultModelFolder(): string | null {
  return process.env.LATTICE_LAB_MODEL ?? bundledModelFolders()[0] ?? null;
}
