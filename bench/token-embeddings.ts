import type { LoadedModel } from '../src/main/engine/model/load-model';

/** The input embeddings of these tokens, back to back (a lab-convention model's `inputs_embeds`). */
export function tokenEmbeddings(model: LoadedModel, tokens: number[]): Float32Array {
  const hidden = model.info.hiddenSize!;
  const embeds = new Float32Array(tokens.length * hidden);
  tokens.forEach((t, j) => embeds.set(model.embeddings!.subarray(t * hidden, (t + 1) * hidden), j * hidden));
  return embeds;
}
