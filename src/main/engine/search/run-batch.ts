import { ForwardBatcher } from '../runtime/forward-batcher';
import { encodePrompt, runSearch, type RunOutput, type RunRequest } from './run-search';

/** How many searches share forward passes by default: wide enough to fill a batch, small enough to stay in cache. */
export const DEFAULT_CONCURRENCY = 32;

/**
 * Runs many searches on one model with their forward passes merged: `concurrency` searches at a time, whose
 * equal-shaped passes (same past length and input length) run as one batch. Searches start in waves of equal
 * prompt length and a wave ends before the next starts: searches started together stay in step (a search started
 * whenever another finished would be at another position than the rest and share no pass). Results come back in
 * request order; each equals what runSearch returns alone. `onDone` hears each as it finishes.
 */
export async function runSearches(
  requests: RunRequest[],
  options: { concurrency?: number; onDone?: (index: number, output: RunOutput) => void } = {},
): Promise<RunOutput[]> {
  const outputs: RunOutput[] = new Array(requests.length);
  if (requests.length === 0) return outputs;
  const decoder = requests[0]!.model.decoder;
  if (requests.some((r) => r.model.decoder !== decoder)) throw new Error('batched searches must share one model');
  const batcher = new ForwardBatcher(decoder);
  const promptLength = requests.map((r) => encodePrompt(r.model, r.prompt).length);
  const order = [...requests.keys()].sort((a, b) => promptLength[a]! - promptLength[b]! || a - b);
  const wave = Math.max(1, Math.min(options.concurrency ?? DEFAULT_CONCURRENCY, requests.length));
  for (let at = 0; at < order.length; at += wave) {
    await Promise.all(
      order.slice(at, at + wave).map(async (index) => {
        const request = requests[index]!;
        if (request.signal?.aborted) return;
        outputs[index] = await runSearch({ ...request, decoder: batcher });
        options.onDone?.(index, outputs[index]!);
      }),
    );
  }
  return outputs;
}
