import { z } from 'zod';

const maxNewTokens = z.number().int().min(1).max(4096).default(32);
/** how many runner-up tokens each evaluated node records */
const topkShown = z.number().int().min(0).max(50).default(5);

export const GreedyConfigSchema = z.object({
  strategy: z.literal('greedy'),
  maxNewTokens,
  topkShown,
});

export const SamplingConfigSchema = z.object({
  strategy: z.literal('sampling'),
  maxNewTokens,
  topkShown,
  n: z.number().int().min(1).max(100000).default(8),
  seed: z.number().int().nonnegative().default(0),
  temperature: z.number().positive().default(1),
  /** 0 disables */
  topK: z.number().int().nonnegative().default(0),
  /** 1 disables */
  topP: z.number().gt(0).max(1).default(1),
  /** 0 disables */
  minP: z.number().min(0).max(1).default(0),
  /** 1 disables */
  typicalP: z.number().gt(0).max(1).default(1),
  /** 1 disables (CTRL / Hugging Face semantics) */
  repetitionPenalty: z.number().positive().default(1),
});

export const BeamConfigSchema = z.object({
  strategy: z.literal('beam'),
  maxNewTokens,
  topkShown,
  numBeams: z.number().int().min(1).max(256).default(4),
  lengthPenalty: z.number().default(1),
  earlyStopping: z.union([z.boolean(), z.literal('never')]).default(false),
  numReturn: z.number().int().min(1).default(1),
});

export const MergeKeySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({ kind: z.literal('last-n'), n: z.number().int().min(1) }),
  z.object({ kind: z.literal('text') }),
  z.object({ kind: z.literal('latent'), tau: z.number().min(-1).max(1) }),
]);
export type MergeKey = z.infer<typeof MergeKeySchema>;

const childTopK = z.number().int().min(1).max(1000).default(3);
const childTopP = z.number().gt(0).max(1).default(0.95);
const frontierWidth = z.number().int().min(1).max(100000).default(16);

export const BfsConfigSchema = z.object({
  strategy: z.literal('bfs'),
  maxNewTokens,
  topkShown,
  topK: childTopK,
  topP: childTopP,
  width: frontierWidth,
  merge: MergeKeySchema.default({ kind: 'text' }),
});

export const AnswerDecoderSchema = z.discriminatedUnion('strategy', [
  z.object({ strategy: z.literal('greedy') }),
  z.object({
    strategy: z.literal('beam'),
    numBeams: z.number().int().min(1).max(256).default(4),
    lengthPenalty: z.number().default(1),
  }),
]);

export const LatentConfigSchema = z.object({
  strategy: z.literal('latent'),
  maxNewTokens,
  topkShown,
  mode: z.enum(['hidden', 'mixture']).default('mixture'),
  thoughts: z.number().int().min(0).max(64).default(3),
  /** filters applied before mixing token embeddings (mixture mode) */
  topK: z.number().int().nonnegative().default(0),
  topP: z.number().gt(0).max(1).default(1),
  /** a token counts as a "big logit" of a thought when its probability reaches this */
  bigLogitThreshold: z.number().gt(0).max(1).default(0.05),
  answer: AnswerDecoderSchema.default({ strategy: 'greedy' }),
});

export const HmmConfigSchema = z.object({
  strategy: z.literal('hmm'),
  maxNewTokens,
  topkShown,
  topK: childTopK,
  topP: childTopP,
  width: frontierWidth,
  states: z.number().int().min(1).max(256).default(4),
  seed: z.number().int().nonnegative().default(0),
});

/**
 * Entropy-adaptive branching: a node branches into its top-k/top-p children only where the model is unsure,
 * otherwise it follows the argmax. Thresholds in nats (the tree's unit); the defaults are entropix's "flowing"
 * corner (argmax only when entropy < 0.1 bit and varentropy < 0.1 bit², i.e. 0.0693 nats and 0.0480 nats²).
 * null turns a test off; both off is greedy, a threshold of 0 is BFS.
 */
export const AdaptiveConfigSchema = z.object({
  strategy: z.literal('adaptive'),
  maxNewTokens,
  topkShown,
  topK: childTopK,
  topP: childTopP,
  width: frontierWidth,
  entropy: z
    .number()
    .min(0)
    .nullable()
    .default(0.1 * Math.LN2),
  varentropy: z
    .number()
    .min(0)
    .nullable()
    .default(0.1 * Math.LN2 * Math.LN2),
  /** or: branch when either measure reaches its threshold; and: only when both do */
  combine: z.enum(['or', 'and']).default('or'),
  merge: MergeKeySchema.default({ kind: 'none' }),
});

export const StrategyConfigSchema = z.discriminatedUnion('strategy', [
  GreedyConfigSchema,
  SamplingConfigSchema,
  BeamConfigSchema,
  BfsConfigSchema,
  LatentConfigSchema,
  HmmConfigSchema,
  AdaptiveConfigSchema,
]);
export type StrategyConfig = z.infer<typeof StrategyConfigSchema>;
export type StrategyName = StrategyConfig['strategy'];
export type ConfigOf<S extends StrategyName> = Extract<StrategyConfig, { strategy: S }>;
export const strategyNames = StrategyConfigSchema.options.map((o) => o.shape.strategy.value) as StrategyName[];

/** A config with every default filled in, from whatever partial settings a user gave. */
export function resolveStrategyConfig(input: unknown): StrategyConfig {
  return StrategyConfigSchema.parse(input);
}
