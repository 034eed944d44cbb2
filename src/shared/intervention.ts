import { z } from 'zod';

/**
 * A direction file: one vector per layer of a model's residual stream. Layer L is the stream after
 * block L (hidden_states[L], 1-based; 0 would be the embeddings, which no intervention touches).
 */
export const DirectionFileSchema = z.object({
  format: z.literal('lattice-lab-direction'),
  version: z.literal(1),
  /** the model folder's name the direction was measured on */
  model: z.string().min(1),
  hiddenSize: z.number().int().positive(),
  layers: z.record(
    z.string().regex(/^[1-9]\d*$/, 'layer keys are 1-based layer numbers'),
    z.array(z.number().finite()),
  ),
  /** how it was made (prompt lists, position, layer) */
  note: z.string(),
});
export type DirectionFile = z.infer<typeof DirectionFileSchema>;

/**
 * What a run does to the residual stream. `steer` adds scale × vector after each chosen layer; `ablate`
 * removes the stream's component along the (normalised) vector there.
 */
export const InterventionSpecSchema = z.object({
  kind: z.enum(['steer', 'ablate']),
  /** path of a direction file */
  direction: z.string().min(1),
  /** steering only; ignored by ablation */
  scale: z.number().finite().default(1),
  /** layers of the file to use; all of them when absent */
  layers: z.array(z.number().int().positive()).optional(),
});
export type InterventionSpec = z.infer<typeof InterventionSpecSchema>;
export type InterventionInput = z.input<typeof InterventionSpecSchema>;

/** A short label for tables and tree legends: "steer ×4 happy.direction.json L2,3". */
export function describeIntervention(spec: InterventionSpec): string {
  const file = spec.direction.split(/[\\/]/).pop();
  const layers = spec.layers ? ` L${spec.layers.join(',')}` : '';
  return spec.kind === 'steer' ? `steer ×${spec.scale} ${file}${layers}` : `ablate ${file}${layers}`;
}
