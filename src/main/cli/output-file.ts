import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from './strategy-args';

/** Checks an output flag before any work is done: a run must not end in "no such directory" after minutes. */
export function checkOutputFile(file: string | boolean | undefined, flag: string): string | undefined {
  if (file === undefined) return undefined;
  if (typeof file !== 'string' || file === '') throw new UsageError(`${flag} needs a file name`);
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UsageError(`${flag} ${file}: the folder ${dir} does not exist`);
  if (!fs.statSync(dir).isDirectory()) throw new UsageError(`${flag} ${file}: ${dir} is not a folder`);
  try {
    fs.accessSync(dir, fs.constants.W_OK);
  } catch {
    throw new UsageError(`${flag} ${file}: the folder ${dir} is not writable`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory())
    throw new UsageError(`${flag} ${file} is a folder, not a file`);
  return file;
}
