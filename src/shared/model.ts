import { z } from 'zod';

export const CapabilitiesSchema = z.object({
  /** feeds embeddings instead of ids (`inputs_embeds`) */
  inputsEmbeds: z.boolean(),
  /** returns the final hidden state after the final norm (`last_hidden_state`) */
  lastHiddenState: z.boolean(),
  /** returns every layer's residual stream (`hidden_states`) */
  hiddenStates: z.boolean(),
  /** the token embedding matrix is readable (needed for embedding mixtures) */
  embeddings: z.boolean(),
  /** a final-norm + unembedding graph exists (needed for the logit lens) */
  logitLens: z.boolean(),
  /** accepts a per-layer steering vector (`residual_delta`) */
  residualDelta: z.boolean(),
  /** removes the residual stream's component along a unit direction per layer (`residual_ablate`) */
  ablation: z.boolean(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const ModelInfoSchema = z.object({
  folder: z.string(),
  name: z.string(),
  convention: z.enum(['hf', 'lab']),
  graphFile: z.string(),
  family: z.string(),
  numLayers: z.number().int().positive(),
  numHeads: z.number().int().positive(),
  numKvHeads: z.number().int().positive(),
  headDim: z.number().int().positive(),
  hiddenSize: z.number().int().positive().nullable(),
  vocabSize: z.number().int().positive(),
  kvDtype: z.string(),
  bosTokenId: z.number().int().nullable(),
  eosTokenIds: z.array(z.number().int()),
  capabilities: CapabilitiesSchema,
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
  /** positions the model was trained with (config.json), null when the folder does not say */
  contextLength: z.number().int().positive().nullable().optional(),
  /** settings the model folder asks for, per strategy (e.g. a continuous-thought model's mode and count) */
  strategyDefaults: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
