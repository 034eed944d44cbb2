import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { LoadedModel } from '../model/load-model';
import { logSoftmax } from '../math/log-softmax';
import { assertLensAvailable } from './logit-lens';

/**
 * A tuned lens (Belrose et al., 2023, "Eliciting Latent Predictions from Transformers with the Tuned Lens"): per
 * layer an affine translator W·h + b, trained on the model's own residual streams so that final norm + unembedding
 * of the translated stream matches the model's final distribution (scripts/model/tuned_lens.py). The last layer's
 * translator is the identity (the logit lens there already is the model's own output), so it is not stored.
 */

export const TUNED_LENS_FILE = 'tuned-lens.json';

const TunedLensFileSchema = z.object({
  format: z.literal('lattice-lab-tuned-lens'),
  version: z.literal(1),
  hiddenSize: z.number().int().positive(),
  /** residual streams the model reports: the input embedding + one per layer */
  streams: z.number().int().positive(),
  /** sha256 of the model folder's embedding file when the lens was trained: a retrained model makes the lens stale */
  embeddingsSha256: z.string().optional(),
  translators: z.array(
    z.object({
      layer: z.number().int().nonnegative(),
      /** float32 little-endian, base64: weight [hidden × hidden] row-major (out × in), bias [hidden] */
      weight: z.string(),
      bias: z.string(),
    }),
  ),
});

export type { LensKind } from '../../../shared/tree';

export interface TunedLens {
  embeddingsSha256?: string;
  hiddenSize: number;
  streams: number;
  /** translate stream `layer` (0 = input embedding); the last stream and layers without a translator pass through */
  translate(layer: number, hidden: Float32Array): Float32Array;
}

function floats(base64: string, expected: number, what: string): Float32Array {
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length !== expected * 4)
    throw new Error(`${what}: expected ${expected} float32 values, found ${bytes.length / 4}`);
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/** Parses a tuned-lens file's JSON; throws naming what is wrong. */
export function parseTunedLens(json: unknown, source = TUNED_LENS_FILE): TunedLens {
  const file = TunedLensFileSchema.parse(json);
  const h = file.hiddenSize;
  const translators = new Map<number, { weight: Float32Array; bias: Float32Array }>();
  for (const t of file.translators) {
    if (t.layer >= file.streams - 1)
      throw new Error(`${source}: layer ${t.layer} is the last stream, whose translator is the identity`);
    translators.set(t.layer, {
      weight: floats(t.weight, h * h, `${source} layer ${t.layer} weight`),
      bias: floats(t.bias, h, `${source} layer ${t.layer} bias`),
    });
  }
  return {
    ...(file.embeddingsSha256 ? { embeddingsSha256: file.embeddingsSha256 } : {}),
    hiddenSize: h,
    streams: file.streams,
    translate(layer, hidden) {
      const t = translators.get(layer);
      if (!t) return hidden;
      if (hidden.length !== h) throw new Error(`tuned lens: expected a ${h}-vector, got ${hidden.length}`);
      const out = new Float32Array(h);
      for (let i = 0; i < h; i++) {
        let s = t.bias[i]!;
        const row = i * h;
        for (let j = 0; j < h; j++) s += t.weight[row + j]! * hidden[j]!;
        out[i] = s;
      }
      return out;
    },
  };
}

/** Whether a folder ships a tuned lens, and whether it was trained for the weights the folder holds now. */
export function tunedLensStatus(folder: string): { lens: TunedLens | null; status: 'absent' | 'stale' | 'ok' } {
  const file = path.join(folder, TUNED_LENS_FILE);
  if (!fs.existsSync(file)) return { lens: null, status: 'absent' };
  const lens = parseTunedLens(JSON.parse(fs.readFileSync(file, 'utf8')), file);
  const config = JSON.parse(fs.readFileSync(path.join(folder, 'config.json'), 'utf8')) as {
    lattice_lab?: { embeddings?: string };
  };
  const embeddings = config.lattice_lab?.embeddings;
  if (!lens.embeddingsSha256 || !embeddings) return { lens: null, status: 'stale' };
  const digest = createHash('sha256')
    .update(fs.readFileSync(path.join(folder, embeddings)))
    .digest('hex');
  return digest === lens.embeddingsSha256 ? { lens, status: 'ok' } : { lens: null, status: 'stale' };
}

/** The tuned lens shipped in a model folder for its current weights, or null (none, or trained for other weights). */
export function loadTunedLens(folder: string): TunedLens | null {
  return tunedLensStatus(folder).lens;
}

/**
 * Next-token log-probabilities read from every residual stream (index 0 = input embedding) through the final norm and
 * the unembedding, after the tuned lens's translator when one is given. One lens call for all streams.
 */
export async function lensDistributions(
  model: LoadedModel,
  hiddenStates: Float32Array[],
  tuned: TunedLens | null = null,
): Promise<Float64Array[]> {
  assertLensAvailable(model);
  const hidden = model.lens!.hiddenSize;
  if (tuned && (tuned.hiddenSize !== hidden || tuned.streams !== hiddenStates.length)) {
    throw new Error(
      `the tuned lens is for ${tuned.streams} streams of size ${tuned.hiddenSize}, the model has ${hiddenStates.length} of size ${hidden}`,
    );
  }
  const stacked = new Float32Array(hiddenStates.length * hidden);
  hiddenStates.forEach((h, l) => stacked.set(tuned ? tuned.translate(l, h) : h, l * hidden));
  const logits = await model.lens!.logits(stacked);
  const vocab = logits.length / hiddenStates.length;
  return hiddenStates.map((_, l) => logSoftmax(logits.subarray(l * vocab, (l + 1) * vocab)));
}

/** KL(p ‖ q) in nats between two log-probability vectors. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let kl = 0;
  for (let i = 0; i < p.length; i++) {
    const lp = p[i]!;
    if (lp === -Infinity) continue;
    kl += Math.exp(lp) * (lp - q[i]!);
  }
  return Math.max(0, kl);
}
