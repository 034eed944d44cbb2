import type { LoadedModel } from '../model/load-model';
import type { StrategyConfig } from '../../../shared/strategies';
import type { Hypothesis, RunProgress, RunResult, RunStats } from '../../../shared/run';
import type { TreeState } from '../../../shared/tree';
import { TreeStore, type PatchListener } from '../tree/tree-store';
import { Evaluator } from '../runtime/evaluator';
import type { DecoderPass } from '../runtime/forward-batcher';
import { missingCapabilities } from '../model/signature';
import { strategies, strategyNeeds } from '../strategies/registry';
import { SearchCancelled, treeLineage, type SearchContext, type StrategyOutcome } from './search-context';
import type { TaskContext } from './task-context';
import { computeRunStats } from './run-stats';
import { StrategyUnavailableError } from './strategy-errors';
import { DEFAULT_MAX_NODES } from './run-limits';
import { findCriticalTokens } from '../critical/critical-tokens';
import { checkRunFits } from '../guards/context-guard';

export interface RunRequest {
  model: LoadedModel;
  prompt: string;
  config: StrategyConfig;
  signal?: AbortSignal;
  onProgress?: (progress: RunProgress) => void;
  /** the tree before the first step (the prompt root); patches apply to it in order */
  onStart?: (tree: TreeState) => void;
  onPatches?: PatchListener;
  kvBudgetBytes?: number;
  /** the most nodes the run may create (DEFAULT_MAX_NODES); a step that would pass it is refused */
  maxNodes?: number;
  /** forward passes shared with other searches (a batched evaluation); the model's own session by default */
  decoder?: DecoderPass;
  residualDelta?: Float32Array;
  /** [layers * hidden] unit rows whose component is removed from the stream (zero rows: none) */
  residualAblate?: Float32Array;
  /**
   * Grow from a node of a tree built beforehand (a fork): `build` fills the fresh store (root = the prompt)
   * and returns the start node; `plain` names the nodes evaluated without the intervention (the shared prefix).
   */
  start?: {
    build(tree: TreeStore): number;
    plain?(nodeId: number): boolean;
    /** before the strategy: e.g. a fork's thought inputs (ctx.setThoughtInput) and its prefix evaluated */
    prepare?(ctx: SearchContext): Promise<void>;
    finish?(ctx: SearchContext): Promise<void>;
  };
  task?: TaskContext;
  /** a hook to check the final answer (the bundled task's checker) */
  judge?: (answer: JudgedAnswer) => RunResult['task'];
}

export interface JudgedAnswer {
  text: string;
  /** the text ended with EOS (not cut by the token limit) */
  endedWithEos: boolean;
  /** continuous thoughts preceded the text: the words they stood for are not in it */
  afterThoughts: boolean;
}

export interface RunOutput {
  tree: TreeState;
  stats: RunStats;
  result: RunResult;
}

/** A run that failed partway: the error, plus the tree, stats and best-so-far it had built. */
export class SearchFailedError extends Error {
  constructor(
    cause: unknown,
    readonly partial: RunOutput,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'SearchFailedError';
  }
}

export { StrategyUnavailableError } from './strategy-errors';

/** The prompt as token ids: the tokenizer's own special tokens, or the model's BOS when it adds none. */
export function encodePrompt(model: LoadedModel, prompt: string): number[] {
  const ids = model.tokenizer.encode(prompt, true);
  if (ids.length > 0) return ids;
  const bos = model.info.bosTokenId;
  if (bos !== null) return [bos];
  if (ids.length === 0)
    throw new StrategyUnavailableError('the prompt is empty and the model has no BOS token to start from');
  return ids;
}

/** the signal of a run nobody can cancel (an AbortController costs more than a short run's step) */
const NEVER_CANCELLED = new AbortController().signal;

/** Runs one strategy on one prompt: builds the tree, streams its patches, and reports stats and result. */
export async function runSearch(request: RunRequest): Promise<RunOutput> {
  const { model, config } = request;
  const entry = strategies[config.strategy] as
    { run: (ctx: SearchContext, config: StrategyConfig) => Promise<StrategyOutcome> } | undefined;
  if (!entry) throw new StrategyUnavailableError(`strategy "${config.strategy}" is not available in this build`);
  const missing = missingCapabilities(model.info.capabilities, strategyNeeds(config));
  if (missing) {
    throw new StrategyUnavailableError(
      `${config.strategy} cannot run on ${model.info.name}: the model lacks ${missing}`,
    );
  }
  const started = performance.now();
  const promptIds = encodePrompt(model, request.prompt);
  checkRunFits(request.prompt, promptIds.length, config, { config: model.config, name: model.info.name });
  const tree = new TreeStore({
    kind: 'prompt',
    tokenId: null,
    text: request.prompt,
    logprob: 0,
    score: 0,
    status: 'frontier',
  });
  const rootId = request.start ? request.start.build(tree) : 0;
  request.onStart?.(tree.snapshot());
  if (request.onPatches) tree.subscribe(request.onPatches);
  const thoughtInputs = new Map<number, Float32Array>();
  const signal = request.signal ?? NEVER_CANCELLED;
  const checkpoint = () => {
    if (signal.aborted) throw new SearchCancelled();
  };
  const evaluator = new Evaluator(model, treeLineage(tree, promptIds, thoughtInputs), {
    kvBudgetBytes: request.kvBudgetBytes,
    decoder: request.decoder,
    residualDelta: request.residualDelta,
    residualAblate: request.residualAblate,
    plain: request.start?.plain,
    beforeForward: checkpoint,
  });
  const ctx: SearchContext = {
    model,
    tree,
    evaluator,
    promptIds,
    rootId,
    eosIds: new Set(model.info.eosTokenIds),
    signal,
    task: request.task,
    maxNodes: request.maxNodes ?? DEFAULT_MAX_NODES,
    progress: (fraction, message) => request.onProgress?.({ fraction: Math.min(1, fraction), message }),
    checkpoint,
    setThoughtInput: (id, embedding) => thoughtInputs.set(id, embedding),
  };
  let outcome: StrategyOutcome;
  let cancelled = false;
  /** a step that threw: the run still reports what it built, so the researcher keeps it */
  let failure: unknown = null;
  try {
    await request.start?.prepare?.(ctx);
    outcome = await entry.run(ctx, config);
    await request.start?.finish?.(ctx);
  } catch (err) {
    if (err instanceof SearchCancelled) cancelled = true;
    else failure = err;
    outcome = { ranked: bestSoFar(tree.state) };
  } finally {
    evaluator.cache.clear();
  }
  const stats = computeRunStats(tree.state, evaluator.stats, evaluator.cache.peakBytes, performance.now() - started);
  /** what a hypothesis ending at each node says, worked out once (the n-best list and critical tokens both ask) */
  const judged = new Map<number, Omit<Hypothesis, 'nodeId' | 'score' | 'logprob'>>();
  /** a hypothesis ending at this node, judged by the task's checker when there is one */
  const hypothesisAt = (nodeId: number, score: number): Hypothesis => {
    let known = judged.get(nodeId);
    if (!known) {
      known = describeHypothesis(nodeId);
      judged.set(nodeId, known);
    }
    return { nodeId, score, logprob: tree.node(nodeId).score, ...known };
  };
  const describeHypothesis = (nodeId: number): Omit<Hypothesis, 'nodeId' | 'score' | 'logprob'> => {
    const tokenIds = tree.pathTokens(nodeId);
    const last = tokenIds[tokenIds.length - 1];
    const text = tokenIds.length > 0 ? model.tokenizer.decode(tokenIds, true) : '';
    const endedWithEos = last !== undefined && ctx.eosIds.has(last);
    if (!request.judge) return { tokenIds, text, endedWithEos };
    const task = request.judge({
      text,
      endedWithEos,
      afterThoughts: tree.pathIds(nodeId).some((id) => tree.node(id).kind === 'thought'),
    });
    return { tokenIds, text, endedWithEos, task };
  };
  // every hypothesis is judged, so that a vote over sampled answers can be scored
  const nBest = outcome.ranked.map(({ nodeId, score }) => hypothesisAt(nodeId, score));
  const critical = findCriticalTokens(tree.state, (nodeId) => {
    const h = hypothesisAt(nodeId, 0);
    return h.task ? (h.task.answer ?? `(${h.task.verdict})`) : h.text.trim();
  });
  const best = nBest[0];
  const result: RunResult = {
    bestText: best?.text ?? '',
    bestScore: best?.score ?? null,
    nBest,
    cancelled,
    ...(outcome.analysis ? { analysis: outcome.analysis } : {}),
    ...(best?.task ? { task: best.task } : {}),
    ...(critical.length > 0 ? { critical } : {}),
  };
  if (failure !== null) throw new SearchFailedError(failure, { tree: tree.state, stats, result });
  return { tree: tree.state, stats, result };
}

/** After a cancel: the finished hypotheses, or else the open ones, by score. */
function bestSoFar(tree: TreeState): { nodeId: number; score: number }[] {
  const nodes = tree.order.map((id) => tree.nodes[id]!).filter((n) => n.kind !== 'prompt');
  const finished = nodes.filter((n) => n.status === 'finished');
  const pool = finished.length > 0 ? finished : nodes.filter((n) => n.status === 'frontier');
  return pool
    .sort((a, b) => b.score - a.score)
    .slice(0, 5)
    .map((n) => ({ nodeId: n.id, score: n.score }));
}
