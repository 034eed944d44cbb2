import { z } from 'zod';

/**
 * One strategy setting scored over task examples: the app's evaluation and `lab eval --json` files share
 * this shape (the CLI's file has more keys per score, e.g. per-example outcomes; they are kept but unused).
 */
export const EvalScoreSchema = z.looseObject({
  config: z.looseObject({ strategy: z.string() }),
  examples: z.number().int().nonnegative(),
  accuracy: z.number().min(0).max(1),
  malformedRate: z.number().min(0).max(1).optional(),
  chainValidRate: z.number().min(0).max(1).optional(),
  forwardPasses: z.number().nonnegative(),
  tokensEvaluated: z.number().nonnegative(),
  wallTimeMs: z.number().nonnegative(),
  peakKvBytes: z.number().nonnegative().optional(),
});
export type EvalScore = z.infer<typeof EvalScoreSchema>;

/** What `lab eval --json FILE` writes. */
export const EvalFileSchema = z.looseObject({
  model: z.string(),
  examples: z.number().int().nonnegative(),
  scores: z.array(EvalScoreSchema),
});
export type EvalFile = z.infer<typeof EvalFileSchema>;
