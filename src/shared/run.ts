import { z } from 'zod';

export const RunStatsSchema = z.object({
  nodesCreated: z.number().int().nonnegative(),
  nodesExpanded: z.number().int().nonnegative(),
  nodesPruned: z.number().int().nonnegative(),
  nodesMerged: z.number().int().nonnegative(),
  forwardPasses: z.number().int().nonnegative(),
  tokensEvaluated: z.number().int().nonnegative(),
  wallTimeMs: z.number().nonnegative(),
  peakKvBytes: z.number().int().nonnegative(),
  /** probability mass of the complete sequences the explored tree contains (0..1) */
  coveredMass: z.number().min(0),
});
export type RunStats = z.infer<typeof RunStatsSchema>;

export const TaskVerdictSchema = z.object({
  verdict: z.enum(['correct', 'incorrect', 'malformed']),
  /** null (n/a): continuous thoughts stood for the facts, so no chain was written to check */
  chainValid: z.boolean().nullable(),
  answer: z.string().nullable(),
});
export type TaskVerdict = z.infer<typeof TaskVerdictSchema>;

export const HypothesisSchema = z.object({
  nodeId: z.number().int().nonnegative(),
  text: z.string(),
  tokenIds: z.array(z.number().int().nonnegative()),
  /** the strategy's ranking score (length-penalised for beam search) */
  score: z.number(),
  /** plain cumulative log-probability of the continuation */
  logprob: z.number(),
  /** false when the text was cut by the token limit (or the search stopped) before EOS */
  endedWithEos: z.boolean().optional(),
  /** this hypothesis's answer judged by the task's checker (task examples only) */
  task: TaskVerdictSchema.optional(),
});
export type Hypothesis = z.infer<typeof HypothesisSchema>;

/** A node whose children lead to different answers: where the search decided (see findCriticalTokens). */
export const CriticalTokenSchema = z.object({
  nodeId: z.number().int().nonnegative(),
  /** each child that reaches a finished answer, with the answers it leads to (sorted) */
  branches: z.array(z.object({ childId: z.number().int().nonnegative(), answers: z.array(z.string()) })),
});
export type CriticalToken = z.infer<typeof CriticalTokenSchema>;

export const RunResultSchema = z.object({
  bestText: z.string(),
  /** null when the run ended before any hypothesis existed */
  bestScore: z.number().nullable(),
  nBest: z.array(HypothesisSchema),
  cancelled: z.boolean(),
  /** filled when the prompt is an example of the bundled task */
  task: TaskVerdictSchema.optional(),
  /** strategy-specific analysis (HMM trellis, latent scores), validated by the strategy's own schema */
  analysis: z.record(z.string(), z.unknown()).optional(),
  /** nodes whose children lead to different answers (task answers on task examples, else final texts) */
  critical: z.array(CriticalTokenSchema).optional(),
});
export type RunResult = z.infer<typeof RunResultSchema>;

export interface RunProgress {
  /** 0..1 */
  fraction: number;
  message: string;
}
