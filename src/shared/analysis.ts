import { z } from 'zod';

/**
 * Strategy-specific analyses carried in `result.analysis` (exported as-is). Each has a `kind` so a reader can
 * tell them apart; `parseStrategyAnalysis` validates one.
 */

/** log-space numbers: -Infinity (no mass) does not survive JSON, so it is written as null. */
const logValue = z.number().nullable();

/** Ground-truth agreement of the HMM states at one depth with the true current concepts. */
export const StateScoreSchema = z.object({
  depth: z.number().int().nonnegative(),
  /** hypotheses with a known concept */
  n: z.number().int().nonnegative(),
  purity: z.number().min(0).max(1),
  nmi: z.number().min(0).max(1),
  /** distinct true concepts among them (depths with fewer than 2 are left out of the pooled scores) */
  concepts: z.number().int().nonnegative().optional(),
  /** count weighting: the expected purity / NMI under a random assignment of the same state labels */
  purityChance: z.number().min(0).max(1).optional(),
  nmiChance: z.number().min(0).max(1).optional(),
  /** the same scores with every hypothesis weighted by its path probability; `weight` is the depth's mass */
  mass: z
    .object({
      weight: z.number().nonnegative(),
      purity: z.number().min(0).max(1),
      nmi: z.number().min(0).max(1),
      purityChance: z.number().min(0).max(1),
      nmiChance: z.number().min(0).max(1),
    })
    .optional(),
});
export type StateScore = z.infer<typeof StateScoreSchema>;

/**
 * Purity and NMI pooled over the depths that hold at least two true concepts: the mean of the per-depth scores
 * weighted by each depth's total weight (count: hypotheses; mass: their summed path probability), each beside its
 * chance level (random state labels, state sizes kept) and the lift = score − chance.
 */
export const PooledStateScoreSchema = z.object({
  depths: z.number().int().nonnegative(),
  weight: z.number().nonnegative(),
  purity: z.number(),
  purityChance: z.number(),
  purityLift: z.number(),
  nmi: z.number(),
  nmiChance: z.number(),
  nmiLift: z.number(),
});
export type PooledStateScore = z.infer<typeof PooledStateScoreSchema>;

export const StateScoreSummarySchema = z.object({
  /** every hypothesis counts once */
  count: PooledStateScoreSchema,
  /** every hypothesis counts by its path probability */
  mass: PooledStateScoreSchema,
});
export type StateScoreSummary = z.infer<typeof StateScoreSummarySchema>;

/** The true concept most of a state's hypotheses are at, and their share of the state. */
export const StateConceptSchema = z.object({
  depth: z.number().int().nonnegative(),
  state: z.number().int().nonnegative(),
  concept: z.string(),
  share: z.number().min(0).max(1),
});
export type StateConcept = z.infer<typeof StateConceptSchema>;

/** One latent state at one depth of the trellis. */
export const TrellisCellSchema = z.object({
  state: z.number().int().nonnegative(),
  /** log forward mass: log Σ of the path probabilities of the hypotheses in this state */
  alpha: logValue,
  /** log backward mass: log of the probability of the explored continuations (ending included), per unit of α */
  beta: logValue,
  /** posterior of the state at this depth: α·β / Σ α·β (sums to 1 over the depth's states) */
  gamma: z.number().min(0).max(1),
  /** log of the mass of the hypotheses in this state that finish here (EOS or the limit) */
  endMass: logValue,
  /** node ids of the hypotheses in this state */
  members: z.array(z.number().int().nonnegative()),
  /** the member with the best score */
  best: z.number().int().nonnegative(),
  /** Viterbi: log-probability of the best state path from the start to this state */
  delta: logValue,
  /** Viterbi back-pointer: the best previous state (null at depth 0) */
  backPointer: z.number().int().nonnegative().nullable(),
});
export type TrellisCell = z.infer<typeof TrellisCellSchema>;

export const TrellisDepthSchema = z.object({
  depth: z.number().int().nonnegative(),
  /** log Σ_j α_t(j) β_t(j): the explored mass of complete sequences that reach this depth */
  logZ: logValue,
  states: z.array(TrellisCellSchema),
});
export type TrellisDepth = z.infer<typeof TrellisDepthSchema>;

/** A_t(i→j): the mass flowing from state i at depth t-1 to state j at depth t, divided by α_{t-1}(i). */
export const TransitionSchema = z.object({
  depth: z.number().int().positive(),
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  /** log A_t(i→j) */
  logProb: z.number(),
});
export type Transition = z.infer<typeof TransitionSchema>;

export const HmmAnalysisSchema = z.object({
  kind: z.literal('hmm-trellis'),
  /** the cap K on states per depth */
  states: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  trellis: z.array(TrellisDepthSchema),
  transitions: z.array(TransitionSchema),
  viterbi: z.object({
    /** state per depth, from depth 0 to where the best path ends */
    path: z.array(z.number().int().nonnegative()),
    /** log-probability of the best state path, ending included */
    logProb: logValue,
  }),
  /** the state (depth, index) with the most finishing mass, and the best hypothesis in it */
  answer: z
    .object({
      depth: z.number().int().nonnegative(),
      state: z.number().int().nonnegative(),
      nodeId: z.number().int().nonnegative(),
      logMass: z.number(),
      /** its share of all the finishing mass the run explored */
      share: z.number().min(0).max(1),
    })
    .nullable(),
  /** when the prompt is a task example: do the states recover the true current concept? */
  groundTruth: z.array(StateScoreSchema).optional(),
  /** the per-depth ground truth pooled over the depths with at least two true concepts (null: no such depth) */
  groundTruthSummary: StateScoreSummarySchema.nullable().optional(),
  /** when the prompt is a task example: each state's dominant true concept per depth */
  stateConcepts: z.array(StateConceptSchema).optional(),
});
export type HmmAnalysis = z.infer<typeof HmmAnalysisSchema>;

/**
 * Coconut's latent-search analysis (`lab frontier`): after k continuous thoughts (or, for a chain-of-facts model, after
 * the first k facts written in language) the model is switched to language and its distribution is read where the
 * subject X of fact k + 1 ("every X is a Y") is written. The value of a concept is the probability given to its
 * token there; the true frontier is the task's `steps[k].frontier` (reachable from the start in exactly k steps).
 */
export const FrontierConceptSchema = z.object({
  concept: z.string(),
  value: z.number().min(0).max(1),
  /** on a path from the start to the answer (`steps[k].on_path`) */
  onPath: z.boolean(),
  /** longest path from the concept down to a leaf of the ontology */
  height: z.number().int().nonnegative(),
});
export type FrontierConcept = z.infer<typeof FrontierConceptSchema>;

/** One question after k thoughts (or facts), at one readout (a layer through a lens, or the model's own output). */
export const FrontierStepSchema = z.object({
  k: z.number().int().nonnegative(),
  /** probability on the true frontier, on its concepts on a path to the answer, and on any concept at all */
  frontierMass: z.number(),
  onPathMass: z.number(),
  offPathMass: z.number(),
  conceptMass: z.number(),
  /** share of the frontier among the |frontier| most probable concepts */
  recall: z.number().min(0).max(1),
  /** the frontier's values sorted, cumulated: the best 1, 2 and 3 nodes (how parallel the search is) */
  topCumulative: z.array(z.number()).length(3),
  frontier: z.array(FrontierConceptSchema),
});
export type FrontierStep = z.infer<typeof FrontierStepSchema>;

const ReadoutSummarySchema = z.object({
  bigLogits: z.number().int().nonnegative(),
  bigMass: z.number(),
  entropy: z.number(),
  frontierRecall: z.number().min(0).max(1).optional(),
});

/**
 * One continuous thought (index i, 0-based). The top-level numbers read what the thought superposes (the vector it
 * is fed) and score it against the true frontier i + 1 steps from the start; `output` reads what its output predicts
 * (the next thought's content) and scores it against frontier i + 2.
 */
export const ThoughtSummarySchema = ReadoutSummarySchema.extend({
  index: z.number().int().nonnegative(),
  nodeId: z.number().int().nonnegative(),
  output: ReadoutSummarySchema.optional(),
});
export type ThoughtSummary = z.infer<typeof ThoughtSummarySchema>;

export const LatentAnalysisSchema = z.object({
  kind: z.literal('latent-thoughts'),
  mode: z.enum(['hidden', 'mixture']),
  thoughts: z.array(ThoughtSummarySchema),
  /** mean frontier recall of what the thoughts superpose, over the thoughts that have a true frontier */
  meanFrontierRecall: z.number().min(0).max(1).optional(),
  answer: z.enum(['greedy', 'beam']),
  /**
   * a model that can switch to language (thought markers) on a task example: for k = 0 .. the run's thought count,
   * the values of the true frontier where fact k + 1's subject is written after k thoughts and a forced `<eot>`
   */
  frontierValues: z.array(FrontierStepSchema).optional(),
});
export type LatentAnalysis = z.infer<typeof LatentAnalysisSchema>;

/** One final answer of an explored lattice with its probability summed over every finished path that gives it. */
export const AnswerMarginalSchema = z.object({
  /** as the task's checker extracts it; null = malformed */
  answer: z.string().nullable(),
  probability: z.number().min(0),
  logMass: logValue,
  /** finished lattice states that give it */
  states: z.number().int().positive(),
});
export type AnswerMarginal = z.infer<typeof AnswerMarginalSchema>;

export const BfsAnalysisSchema = z.object({
  kind: z.literal('bfs-levels'),
  /** live lattice states evaluated per depth (after merging and capping) */
  levelSizes: z.array(z.number().int().nonnegative()),
  /** hypotheses absorbed into a surviving state, per depth */
  mergedPerDepth: z.array(z.number().int().nonnegative()),
  /** on task examples: each final answer's probability summed over every finished path, most probable first */
  answerMarginals: z.array(AnswerMarginalSchema).optional(),
});
export type BfsAnalysis = z.infer<typeof BfsAnalysisSchema>;

export const StrategyAnalysisSchema = z.discriminatedUnion('kind', [
  HmmAnalysisSchema,
  LatentAnalysisSchema,
  BfsAnalysisSchema,
]);
export type StrategyAnalysis = z.infer<typeof StrategyAnalysisSchema>;

/** Validates a run's `result.analysis` when it is one of these kinds; returns null for other (or no) analyses. */
export function parseStrategyAnalysis(analysis: unknown): StrategyAnalysis | null {
  if (typeof analysis !== 'object' || analysis === null || !('kind' in analysis)) return null;
  return StrategyAnalysisSchema.parse(analysis);
}

/** -Infinity → null for JSON; finite numbers unchanged. */
export function toLogValue(x: number): number | null {
  return x === -Infinity ? null : x;
}

/** Means over the questions that have a fact k + 1, at the model's own output. */
export const FrontierRowSchema = FrontierStepSchema.omit({ frontier: true }).extend({
  questions: z.number().int().nonnegative(),
  frontierSize: z.number(),
  /** Pearson correlation of value and height over every frontier node at this k (null: no variance) */
  heightCorrelation: z.number().nullable(),
  /** mean value of frontier nodes by their height */
  byHeight: z.array(
    z.object({ height: z.number().int().nonnegative(), nodes: z.number().int().nonnegative(), value: z.number() }),
  ),
});
export type FrontierRow = z.infer<typeof FrontierRowSchema>;

/** Means over the same questions per residual stream (0 = input embedding) read through a lens. */
export const FrontierLayerRowSchema = z.object({
  k: z.number().int().nonnegative(),
  layer: z.number().int().nonnegative(),
  frontierMass: z.number(),
  recall: z.number(),
  /** KL(model's output ‖ lens readout) in nats */
  klToFinal: z.number(),
});
export type FrontierLayerRow = z.infer<typeof FrontierLayerRowSchema>;

export const FrontierReportSchema = z.object({
  kind: z.literal('frontier'),
  model: z.string(),
  /** latent: k continuous thoughts then `<eot>`; language: the first k facts of the gold chain written out */
  mode: z.enum(['latent', 'language']),
  questions: z.number().int().nonnegative(),
  rows: z.array(FrontierRowSchema),
  /** per lens (logit, and tuned when the model ships one) */
  layers: z.object({
    logit: z.array(FrontierLayerRowSchema).optional(),
    tuned: z.array(FrontierLayerRowSchema).optional(),
  }),
});
export type FrontierReport = z.infer<typeof FrontierReportSchema>;
