import { loadModel, type LoadedModel } from '../engine/model/load-model';
import { defaultModelFolder } from '../engine/model/default-model';
import { UsageError } from './strategy-args';

/** --model DIR, or the bundled model. */
export async function modelFromArg(folder: string | undefined): Promise<LoadedModel> {
  const dir = folder ?? defaultModelFolder();
  if (!dir) throw new UsageError('no bundled model found under resources/models; pass --model DIR');
  return loadModel(dir);
}
