import type { LoadedModel } from '../model/load-model';
import type { DirectionFile } from '../../../shared/intervention';
import { encodePrompt } from '../search/run-search';
import { missingCapabilities } from '../model/signature';
import { DirectionError } from './direction-file';

/** The residual stream at the prompt's last token after each of `layers` (1-based: hidden_states[L]). */
export async function lastTokenResiduals(
  model: LoadedModel,
  prompt: string,
  layers: number[],
): Promise<Float32Array[]> {
  const ids = encodePrompt(model, prompt);
  const hidden = model.info.hiddenSize!;
  const inputsEmbeds = new Float32Array(ids.length * hidden);
  ids.forEach((t, i) => inputsEmbeds.set(model.embeddings!.subarray(t * hidden, (t + 1) * hidden), i * hidden));
  const out = await model.decoder.forward({
    batch: 1,
    seq: ids.length,
    inputsEmbeds,
    past: null,
    wantHiddenStates: true,
  });
  const seq = ids.length;
  return layers.map((layer) => {
    const at = (layer * seq + seq - 1) * hidden;
    return out.hiddenStates!.slice(at, at + hidden);
  });
}

export interface DirectionRecipe {
  positive: string[];
  negative: string[];
  layers: number[];
  note?: string;
}

/**
 * Contrastive activation addition: mean residual over the positive prompts minus the mean over the negative
 * ones, at each layer, read at the last prompt token (where the next token is decided).
 */
export async function makeDirection(model: LoadedModel, recipe: DirectionRecipe): Promise<DirectionFile> {
  const missing = missingCapabilities(model.info.capabilities, ['inputsEmbeds', 'embeddings', 'hiddenStates']);
  if (missing)
    throw new DirectionError(`directions are not supported by this graph: ${model.info.name} lacks ${missing}`);
  if (recipe.positive.length === 0 || recipe.negative.length === 0)
    throw new DirectionError('a direction needs at least one positive and one negative prompt');
  const { numLayers } = model.info;
  const hidden = model.info.hiddenSize!;
  const bad = recipe.layers.find((l) => !Number.isInteger(l) || l < 1 || l > numLayers);
  if (bad !== undefined || recipe.layers.length === 0)
    throw new DirectionError(`layers must be 1..${numLayers} (the stream after that block)`);
  const sums = recipe.layers.map(() => new Float64Array(hidden));
  for (const [prompts, sign] of [
    [recipe.positive, 1],
    [recipe.negative, -1],
  ] as const) {
    for (const prompt of prompts) {
      const residuals = await lastTokenResiduals(model, prompt, recipe.layers);
      residuals.forEach((r, k) => {
        for (let j = 0; j < hidden; j++) sums[k]![j]! += (sign * r[j]!) / prompts.length;
      });
    }
  }
  const layers: Record<string, number[]> = {};
  recipe.layers.forEach((layer, k) => (layers[String(layer)] = Array.from(sums[k]!, (v) => Math.fround(v))));
  const note =
    recipe.note ??
    `mean residual at the last prompt token, ${recipe.positive.length} positive minus ${recipe.negative.length} negative prompts ` +
      `(first: ${JSON.stringify(recipe.positive[0])} vs ${JSON.stringify(recipe.negative[0])})`;
  return { format: 'lattice-lab-direction', version: 1, model: model.info.name, hiddenSize: hidden, layers, note };
}
