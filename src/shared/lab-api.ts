import { z } from 'zod';
import type { Patch } from 'immer';
import { ModelInfoSchema } from './model';
import { StrategyConfigSchema } from './strategies';
import { RunResultSchema, RunStatsSchema, type RunProgress } from './run';
import { LensKindSchema, LensLayerSchema, type TreeState } from './tree';
import { InterventionSpecSchema } from './intervention';
import type { ExportFile } from './export-format';
import type { EvalScore } from './eval';

const runId = z.string().min(1).max(64);

export const DirectionInfoSchema = z.object({
  /** file name inside the model's directions/ folder (what an intervention names) */
  name: z.string(),
  model: z.string(),
  hiddenSize: z.number().int().positive(),
  layers: z.array(z.number().int().positive()),
  note: z.string(),
  /** per layer: the vector's length (a scale of 1 adds this much) */
  norms: z.array(z.number()),
});
export type DirectionInfo = z.infer<typeof DirectionInfoSchema>;
/**
 * A strategy's settings as a client sends them: any it leaves out take the model's own defaults (see
 * `ModelInfo.strategyDefaults`), then the schema's; the service validates the result.
 */
const partialConfig = z.looseObject({ strategy: z.string() });

export const TaskExampleSchema = z.object({
  index: z.number().int().nonnegative(),
  prompt: z.string(),
  options: z.array(z.string()),
  answer: z.string(),
  /** new tokens enough for every answer of the split (what the CLI's run and eval use by default) */
  tokenBudget: z.number().int().positive().optional(),
  /** per chain step k: the concepts reachable from the start in exactly k steps (the true breadth-first frontier) */
  frontiers: z.array(z.array(z.string())).optional(),
});
export type TaskExample = z.infer<typeof TaskExampleSchema>;

export const RunSummarySchema = z.object({
  runId,
  label: z.string(),
  prompt: z.string(),
  config: StrategyConfigSchema,
  state: z.enum(['running', 'done', 'cancelled', 'failed']),
  stats: RunStatsSchema.optional(),
  result: RunResultSchema.optional(),
  error: z.string().optional(),
  /** name of the model the run used (the export's model name for an imported run) */
  model: z.string().optional(),
  /** the task example the prompt came from, with its ground truth */
  task: TaskExampleSchema.optional(),
  /** loaded from an export file: browsable, but no model stands behind it */
  imported: z.boolean().optional(),
  /** the intervention every evaluation of the run (a fork: of its new subtree) was made under */
  intervention: InterventionSpecSchema.optional(),
  /** a fork: the run and node it grew from (its tree holds the source's tree too) */
  forkOf: z.object({ runId, nodeId: z.number().int().nonnegative() }).optional(),
});
export type RunSummary = z.infer<typeof RunSummarySchema>;

/**
 * Every request the renderer can make: params are validated on arrival (IPC and WebSocket alike),
 * results typed by the table. Adding a request means adding a row here and a handler in main.
 */
export const labRequests = {
  openModel: {
    params: z.object({ folder: z.string().min(1).max(4096).optional() }),
    result: ModelInfoSchema,
  },
  /** asks the user for a folder (Electron dialog); null when cancelled or unavailable */
  chooseModelFolder: { params: z.object({}), result: z.string().nullable() },
  taskExamples: {
    params: z.object({ limit: z.number().int().positive().max(10000).default(50) }),
    result: z.array(TaskExampleSchema),
  },
  startRun: {
    params: z.object({
      prompt: z.string().max(100000),
      config: partialConfig,
      label: z.string().max(200).optional(),
      taskIndex: z.number().int().nonnegative().optional(),
      /** steering or ablation for the whole run; `direction` names a file of the open model's directions/ folder */
      intervention: InterventionSpecSchema.optional(),
    }),
    result: z.object({ runId }),
  },
  /** a new run: the source run's tree plus a subtree grown from `nodeId` by `config` under `intervention` */
  forkRun: {
    params: z.object({
      runId,
      nodeId: z.number().int().nonnegative(),
      config: partialConfig,
      intervention: InterventionSpecSchema.optional(),
      label: z.string().max(200).optional(),
    }),
    result: z.object({ runId }),
  },
  /** the direction files shipped in the open model's directions/ folder */
  listDirections: { params: z.object({}), result: z.array(DirectionInfoSchema) },
  cancelRun: { params: z.object({ runId }), result: z.object({ cancelled: z.boolean() }) },
  /** a fresh engine process (after repeated crashes the host stops restarting it on its own); running runs fail */
  restartEngine: { params: z.object({}), result: z.object({ restarted: z.boolean() }) },
  listRuns: { params: z.object({}), result: z.array(RunSummarySchema) },
  /** the whole current tree of a run (for a late subscriber); `seq` is the last patch message it includes */
  getTree: { params: z.object({ runId }), result: z.object({ tree: z.custom<TreeState>(), seq: z.number().int() }) },
  inspectNode: {
    params: z.object({
      runId,
      nodeId: z.number().int().nonnegative(),
      /** logit lens (final norm + unembedding) or the model's tuned lens (per-layer affine translators first) */
      lens: LensKindSchema.default('logit'),
    }),
    result: z.object({
      lens: z.array(LensLayerSchema).nullable(),
      pathText: z.string(),
      /** the lenses the run's model offers (absent: unknown, e.g. an imported run with no model) */
      availableLenses: z.array(LensKindSchema).optional(),
    }),
  },
  exportComparison: {
    params: z.object({ runIds: z.array(runId).min(1) }),
    result: z.custom<ExportFile>(),
  },
  importComparison: {
    params: z.object({ file: z.unknown() }),
    result: z.object({ runIds: z.array(runId) }),
  },
  removeRun: { params: z.object({ runId }), result: z.object({ removed: z.boolean() }) },
  /** runs each strategy over the first `limit` task examples of the open model's test split */
  startEval: {
    params: z.object({ configs: z.array(partialConfig).min(1).max(32), limit: z.number().int().positive().max(10000) }),
    result: z.object({ evalId: runId }),
  },
  cancelEval: { params: z.object({ evalId: runId }), result: z.object({ cancelled: z.boolean() }) },
} as const;

export type LabRequestName = keyof typeof labRequests;
export type LabParams<N extends LabRequestName> = z.input<(typeof labRequests)[N]['params']>;
export type LabResult<N extends LabRequestName> = z.output<(typeof labRequests)[N]['result']>;

/** Events pushed from main to the renderer. */
export interface LabEvents {
  runStarted: RunSummary;
  /**
   * immer patches against the run's tree, in order (`seq` increases by one per message, from 0); the
   * first message replaces the whole tree (path []), so a subscriber needs no separate fetch
   */
  runPatches: { runId: string; seq: number; patches: Patch[] };
  runProgress: { runId: string } & RunProgress;
  runFinished: RunSummary;
  /** a run was removed (by any window or browser tab) */
  runRemoved: { runId: string };
  evalProgress: { evalId: string; done: number; total: number; message: string };
  /** `scores` holds every strategy finished so far (all of them when `state` is done) */
  evalFinished: {
    evalId: string;
    state: 'done' | 'cancelled' | 'failed';
    model: string;
    scores: EvalScore[];
    error?: string;
  };
  engineStatus: { state: 'ready' | 'busy' | 'crashed' | 'restarted'; message?: string };
  /** an application menu item was chosen (Electron only) */
  menuCommand: MenuCommand;
}

export interface MenuCommand {
  command: 'chooseModel' | 'import' | 'exportJson' | 'restartEngine';
}
export type LabEventName = keyof LabEvents;

/** What the renderer holds: one object, two transports (Electron preload or WebSocket). */
export interface LabApi {
  request<N extends LabRequestName>(name: N, params: LabParams<N>): Promise<LabResult<N>>;
  on<E extends LabEventName>(event: E, listener: (payload: LabEvents[E]) => void): () => void;
}

export class LabRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabRequestError';
  }
}

/** Validates a request arriving over a transport; unknown names and bad params throw with a readable message. */
export function parseLabRequest(name: unknown, params: unknown): { name: LabRequestName; params: unknown } {
  if (typeof name !== 'string' || !Object.hasOwn(labRequests, name)) {
    throw new LabRequestError(`unknown request ${JSON.stringify(name)}`);
  }
  const schema = labRequests[name as LabRequestName].params;
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new LabRequestError(`${name}: ${issue.path.join('.') || 'params'}: ${issue.message}`);
  }
  return { name: name as LabRequestName, params: parsed.data };
}
