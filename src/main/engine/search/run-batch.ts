import { ForwardBatcher } from '../runtime/forward-batcher';
import { runSearch, type RunOutput, type RunRequest } from './run-search';

/** How many searches share forward passes by default: wide enough to fill a batch, small enough to stay in cache. */
export const DEFAULT_CONCURRENCY = 32;

/**
 * Runs many searches on one model with their forward passes merged: up to `concurrency` searches at a time,
 * whose equal-shaped passes (same past length and input length) run as one batch. Results come back in request
 * order; each equals what runSearch returns alone. `onDone` hears each as it finishes.
 */
export async function runSearches(
  requests: RunRequest[],
  options: { concurrency?: number; onDone?: (index: number, output: RunOutput) => void } = {},
): Promise<RunOutput[]> {
  const outputs: RunOutput[] = new Array(requests.length);
  if (requests.length === 0) return outputs;
  const batcher = new ForwardBatcher(requests[0]!.model.decoder);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const request = requests[index]!;
      if (request.signal?.aborted) continue;
      if (request.model.decoder !== requests[0]!.model.decoder)
        throw new Error('batched searches must share one model');
      try {
        outputs[index] = await runSearch({ ...request, decoder: batcher });
      } catch (err) {
        next = requests.length;
        throw err;
      }
      options.onDone?.(index, outputs[index]!);
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, requests.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return outputs;
}
