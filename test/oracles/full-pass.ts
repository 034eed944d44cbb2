import type { LoadedModel } from '../../src/main/engine/model/load-model';
import { logSoftmax } from '../../src/main/engine/math/log-softmax';

/**
 * Teacher forcing with no cache: one forward pass over the whole sequence, straight through the ONNX session.
 * Returns the next-token log-probabilities after every position. The oracles build on this alone.
 */
export async function fullPassLogprobs(
  model: LoadedModel,
  tokens: number[],
  residualDelta?: Float32Array,
): Promise<Float64Array[]> {
  const hidden = model.info.hiddenSize;
  const inputsEmbeds =
    model.info.convention === 'lab'
      ? (() => {
          const out = new Float32Array(tokens.length * hidden!);
          tokens.forEach((t, i) => out.set(model.embeddings!.subarray(t * hidden!, (t + 1) * hidden!), i * hidden!));
          return out;
        })()
      : undefined;
  const out = await model.decoder.forward({
    batch: 1,
    seq: tokens.length,
    inputIds: tokens,
    inputsEmbeds,
    past: null,
    residualDelta,
  });
  const vocab = out.logits.length / tokens.length;
  return tokens.map((_, i) => logSoftmax(out.logits.subarray(i * vocab, (i + 1) * vocab)));
}
