import type { LoadedModel } from '../model/load-model';
import type { StrategyConfig } from '../../../shared/strategies';
import type { TaskVerdict } from '../../../shared/run';
import type { RunOutput } from '../search/run-search';
import { runSearches } from '../search/run-batch';
import { taskJudge } from './checker';
import { taskContextOf } from './task-context-of';
import type { TaskFiles, TaskRecord } from './task-files';
import { parseStrategyAnalysis, type StateScoreSummary } from '../../../shared/analysis';
import { summarizeStateScores } from '../analysis/ground-truth';
import { maxMarginalAnswer } from '../analysis/answer-marginals';
import type { ResidualInputs } from '../intervention/compile';

export interface ExampleOutcome {
  index: number;
  text: string;
  verdict: TaskVerdict;
  forwardPasses: number;
  tokensEvaluated: number;
  wallTimeMs: number;
  peakKvBytes: number;
  /** strategy-specific analysis (e.g. HMM purity, thought recall) */
  analysis?: Record<string, unknown>;
}

export interface StrategyScore {
  config: StrategyConfig;
  examples: number;
  accuracy: number;
  malformedRate: number;
  /** over the examples whose facts were written (absent when every answer followed continuous thoughts: n/a) */
  chainValidRate?: number;
  forwardPasses: number;
  tokensEvaluated: number;
  wallTimeMs: number;
  peakKvBytes: number;
  /** HMM runs: purity and NMI of the latent states against the true current concept, with chance levels (pooled over every example's depths with ≥ 2 true concepts) */
  stateScores?: StateScoreSummary;
  /** BFS runs: accuracy of the answer with the most probability summed over every finished path (beside `accuracy`, the best path's) */
  marginalAccuracy?: number;
  /** latent runs: mean recall of the true breadth-first frontier among each thought's big logits */
  thoughtRecall?: number;
  outcomes: ExampleOutcome[];
}

const mean = (xs: number[]) => (xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The latent views scored against the task's ground truth, pooled over the examples that have it. */
function latentScores(outcomes: ExampleOutcome[]): Pick<StrategyScore, 'stateScores' | 'thoughtRecall'> {
  const analyses = outcomes.map((o) => parseStrategyAnalysis(o.analysis)).filter((a) => a !== null);
  const stateScores = summarizeStateScores(
    analyses.flatMap((a) => (a.kind === 'hmm-trellis' ? (a.groundTruth ?? []) : [])),
  );
  const recall = mean(
    analyses.flatMap((a) =>
      a.kind === 'latent-thoughts' && a.meanFrontierRecall !== undefined ? [a.meanFrontierRecall] : [],
    ),
  );
  return { ...(stateScores ? { stateScores } : {}), ...(recall !== undefined ? { thoughtRecall: recall } : {}) };
}

/** The max-marginal answer's accuracy, when every example's analysis carries answer marginals. */
function marginalScore(outcomes: ExampleOutcome[], records: TaskRecord[]): Pick<StrategyScore, 'marginalAccuracy'> {
  const marginals = outcomes.map((o) => {
    const a = parseStrategyAnalysis(o.analysis);
    return a?.kind === 'bfs-levels' ? a.answerMarginals : undefined;
  });
  if (outcomes.length === 0 || marginals.some((m) => m === undefined)) return {};
  const correct = marginals.filter((m, i) => maxMarginalAnswer(m!) === records[outcomes[i]!.index]!.answer).length;
  return { marginalAccuracy: correct / outcomes.length };
}

function chainValidity(outcomes: ExampleOutcome[]): Pick<StrategyScore, 'chainValidRate'> {
  const judged = outcomes.filter((o) => o.verdict.chainValid !== null);
  return judged.length === 0
    ? {}
    : { chainValidRate: judged.filter((o) => o.verdict.chainValid).length / judged.length };
}

/** Enough new tokens for every answer in the split: the longest target plus a margin for EOS. */
export function splitTokenBudget(files: TaskFiles): number {
  return Math.max(...files.test.map((r) => r.target.split(/\s+/).length)) + 4;
}

/** Runs one strategy over the first `limit` test examples and scores each answer with the checker. */
export async function evaluateStrategy(
  model: LoadedModel,
  files: TaskFiles,
  config: StrategyConfig,
  options: {
    limit?: number;
    onExample?: (done: number, total: number) => void;
    signal?: AbortSignal;
    intervention?: ResidualInputs;
    /** examples whose forward passes are batched together (1: one by one) */
    concurrency?: number;
  } = {},
): Promise<StrategyScore> {
  const records = files.test.slice(0, options.limit ?? files.test.length);
  const started = performance.now();
  // several examples share each forward pass (equal-length prompts batch directly); results equal one by one
  const finished = new Map<number, RunOutput>();
  let done = 0;
  await runSearches(
    records.map((record, index) => ({
      model,
      prompt: record.prompt,
      config,
      signal: options.signal,
      ...options.intervention,
      task: taskContextOf(index, record, files.ontology, { frontierValues: false }),
      judge: taskJudge(files.ontology, record),
    })),
    {
      concurrency: options.concurrency,
      onDone: (index, out) => {
        // a cancelled example is not an answer: the score covers the examples finished before the cancel
        if (out.result.cancelled) return;
        finished.set(index, out);
        options.onExample?.(++done, records.length);
      },
    },
  );
  const wallTimeMs = performance.now() - started;
  const outcomes: ExampleOutcome[] = [...finished.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([index, out]) => ({
      index,
      text: out.result.bestText,
      verdict: out.result.task!,
      forwardPasses: out.stats.forwardPasses,
      tokensEvaluated: out.stats.tokensEvaluated,
      wallTimeMs: out.stats.wallTimeMs,
      peakKvBytes: out.stats.peakKvBytes,
      ...(out.result.analysis ? { analysis: out.result.analysis } : {}),
    }));
  const rate = (pred: (o: ExampleOutcome) => boolean) => outcomes.filter(pred).length / Math.max(1, outcomes.length);
  const sum = (f: (o: ExampleOutcome) => number) => outcomes.reduce((s, o) => s + f(o), 0);
  return {
    config,
    examples: outcomes.length,
    accuracy: rate((o) => o.verdict.verdict === 'correct'),
    malformedRate: rate((o) => o.verdict.verdict === 'malformed'),
    forwardPasses: sum((o) => o.forwardPasses),
    tokensEvaluated: sum((o) => o.tokensEvaluated),
    wallTimeMs,
    peakKvBytes: Math.max(0, ...outcomes.map((o) => o.peakKvBytes)),
    ...chainValidity(outcomes),
    ...latentScores(outcomes),
    ...marginalScore(outcomes, records),
    outcomes,
  };
}
