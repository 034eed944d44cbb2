import { z } from 'zod';
import { TreeNodeSchema } from './tree';
import { RunResultSchema, RunStatsSchema } from './run';
import { StrategyConfigSchema } from './strategies';

export const EXPORT_FORMAT = 'lattice-lab';
export const EXPORT_VERSION = 1;

export const ExportModelSchema = z.strictObject({
  name: z.string(),
  convention: z.enum(['hf', 'lab']),
  vocabSize: z.number().int().positive(),
  numLayers: z.number().int().positive(),
});

export const ExportRunSchema = z.strictObject({
  id: z.string().min(1),
  label: z.string().optional(),
  strategy: z.string(),
  config: StrategyConfigSchema,
  stats: RunStatsSchema,
  result: RunResultSchema,
  nodes: z.array(TreeNodeSchema.strict()).min(1),
  /** a run that failed (e.g. its engine crashed): why; its nodes are those built before, its stats count only them */
  error: z.string().optional(),
});
export type ExportRun = z.infer<typeof ExportRunSchema>;

export const TaskExampleRefSchema = z.strictObject({
  split: z.string(),
  index: z.number().int().nonnegative(),
  options: z.array(z.string()),
  answer: z.string(),
});

export const ExportFileSchema = z.strictObject({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  createdAt: z.string(),
  model: ExportModelSchema,
  prompt: z.string(),
  task: TaskExampleRefSchema.optional(),
  runs: z.array(ExportRunSchema),
});
export type ExportFile = z.infer<typeof ExportFileSchema>;
