import * as fs from 'node:fs';
import * as path from 'node:path';
import { ModelLoadError } from './model-error';

/** JSON files of a model folder are small; a huge one is a mistake, not something to parse. */
const MAX_JSON_BYTES = 256 * 1024 * 1024;

/**
 * The absolute path of a file a model folder names (`field` says who named it), refused unless it is a relative
 * path whose real location (symlinks resolved) lies inside the folder: a config.json cannot make the lab read
 * /etc/passwd or anything else outside the model.
 */
export function modelFile(dir: string, rel: unknown, field: string, where = 'config.json'): string {
  if (typeof rel !== 'string' || rel === '') {
    throw new ModelLoadError(
      `${field} must be a file name inside the model folder (got ${JSON.stringify(rel)})`,
      where,
    );
  }
  const outside = () => new ModelLoadError(`${field} "${rel}" points outside the model folder`, where);
  if (path.isAbsolute(rel) || rel.includes('\0')) throw outside();
  const root = fs.realpathSync(dir);
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) throw outside();
  if (!fs.existsSync(file)) throw new ModelLoadError('file not found', rel);
  const real = fs.realpathSync(file);
  if (!real.startsWith(root + path.sep)) throw outside();
  if (!fs.statSync(real).isFile()) throw new ModelLoadError('is not a file', rel);
  return real;
}

/** A JSON file of the folder, parsed; its errors name the file. */
export function readModelJson(dir: string, rel: string): unknown {
  const file = modelFile(dir, rel, rel, rel);
  const size = fs.statSync(file).size;
  if (size > MAX_JSON_BYTES) throw new ModelLoadError(`${size} bytes is far too large for this file`, rel);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`not valid JSON (${(err as Error).message})`, rel);
  }
}
