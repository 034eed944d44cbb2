import { z } from 'zod';

/** Where a node stands in its search: the export format and the live store share these values. */
export const NodeStatusSchema = z.enum(['expanded', 'frontier', 'pruned', 'merged', 'finished']);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

export const TopTokenSchema = z.object({
  tokenId: z.number().int().nonnegative(),
  text: z.string(),
  logprob: z.number(),
});
export type TopToken = z.infer<typeof TopTokenSchema>;

/** One layer of a logit-lens readout: what the residual stream at that layer would predict. */
/** logit lens (final norm + unembedding) or tuned lens (a per-layer affine translator first) */
export const LensKindSchema = z.enum(['logit', 'tuned']);
export type LensKind = z.infer<typeof LensKindSchema>;

export const LensLayerSchema = z.object({
  layer: z.number().int().nonnegative(),
  topk: z.array(TopTokenSchema),
  entropy: z.number(),
  /** KL(model's output ‖ this readout) in nats: how far the layer is from the final prediction */
  klToFinal: z.number().nonnegative().optional(),
  /** which lens read it (absent: the logit lens) */
  lens: LensKindSchema.optional(),
});
export type LensLayer = z.infer<typeof LensLayerSchema>;

/** What a continuous thought superposes, read through the logit lens at the final layer. */
export const LatentReadoutSchema = z.object({
  mode: z.enum(['hidden', 'mixture']),
  topk: z.array(TopTokenSchema),
  /** tokens whose probability is at least `bigLogitThreshold` */
  bigLogits: z.number().int().nonnegative(),
  bigMass: z.number(),
  bigLogitThreshold: z.number(),
  entropy: z.number(),
  /** recall of the true breadth-first frontier among the big logits, when the prompt is a task example */
  frontierRecall: z.number().optional(),
});
export type LatentReadout = z.infer<typeof LatentReadoutSchema>;

export const NodeKindSchema = z.enum(['prompt', 'token', 'thought']);
export type NodeKind = z.infer<typeof NodeKindSchema>;

export const TreeNodeSchema = z.object({
  id: z.number().int().nonnegative(),
  /** one id for a tree node, several for a merged lattice state, none for the root */
  parents: z.array(z.number().int().nonnegative()),
  kind: NodeKindSchema,
  /** null for the prompt root and for continuous thoughts */
  tokenId: z.number().int().nonnegative().nullable(),
  text: z.string(),
  /** hex of the token's raw bytes, present only when they are not valid UTF-8 on their own */
  bytes: z
    .string()
    .regex(/^([0-9a-f]{2})*$/)
    .optional(),
  /** log-probability of this token given its (first) parent */
  logprob: z.number(),
  /** cumulative log-probability of the best path to this node (Viterbi score for a lattice state) */
  score: z.number(),
  depth: z.number().int().nonnegative(),
  status: NodeStatusSchema,
  /** log-sum-exp over all incoming paths (lattice states) */
  forwardLogMass: z.number().optional(),
  /** entropy (nats) of the next-token distribution at this node, once evaluated */
  entropy: z.number().optional(),
  /** the most likely next tokens at this node, once evaluated */
  topk: z.array(TopTokenSchema).optional(),
  latent: LatentReadoutSchema.optional(),
  lens: z.array(LensLayerSchema).optional(),
  /** HMM latent state (cluster index at this depth) */
  state: z.number().int().nonnegative().optional(),
  /** for a merged (absorbed) hypothesis: the survivor it points to */
  mergedInto: z.number().int().nonnegative().optional(),
  /** grown under an intervention (a fork): its label, e.g. "steer ×4 toward.json L2" */
  intervention: z.string().optional(),
  /** under an intervention: this token's log-probability on the same path without it (Δ = logprob − plainLogprob) */
  plainLogprob: z.number().optional(),
});
export type TreeNode = z.infer<typeof TreeNodeSchema>;

/** The live tree a run grows; nodes keyed by id so that immer patches address single nodes. */
export interface TreeState {
  rootId: number;
  nodes: Record<number, TreeNode>;
  /** ids in creation order: replay and export follow it */
  order: number[];
}
