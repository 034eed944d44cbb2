import { loadModel, type LoadedModel } from '../engine/model/load-model';
import { defaultModelFolder } from '../engine/model/default-model';
import { UsageError } from './strategy-args';

/** --threads N: onnxruntime's intra-op threads (absent: onnxruntime's default, one per physical core). */
export function threadsFromArg(value: string | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new UsageError('--threads must be a positive integer');
  return n;
}

/** --model DIR, or the bundled model; --threads N. */
export async function modelFromArg(folder: string | undefined, threads?: string | boolean): Promise<LoadedModel> {
  const dir = folder ?? defaultModelFolder();
  if (!dir) throw new UsageError('no bundled model found under resources/models; pass --model DIR');
  return loadModel(dir, { threads: threadsFromArg(threads) });
}
