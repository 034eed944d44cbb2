import type { RunSummary } from '../../../../shared/lab-api';
import type { StrategyConfig } from '../../../../shared/strategies';
import { parseStrategyAnalysis } from '../../../../shared/analysis';

/** What a strategy ranks its hypotheses by, named, so two measures never share a column. */
export function ownScoreName(config: StrategyConfig): string {
  switch (config.strategy) {
    case 'beam':
      return config.lengthPenalty === 0
        ? 'log-prob (beam, no length penalty)'
        : `log-prob / length^${config.lengthPenalty} (beam)`;
    case 'bfs':
      return 'Viterbi log-prob of the lattice state';
    case 'hmm':
      return "answer state's share of the finishing mass";
    case 'latent':
      return 'log-prob of the answer after the thoughts';
    default:
      return 'log-prob';
  }
}

export interface CompareRow {
  run: RunSummary;
  /** log-probability of the best hypothesis's tokens (thoughts contribute none) */
  pathLogprob: number | null;
  /** the strategy's own score of its best hypothesis, named by `scoreName` */
  ownScore: number | null;
  scoreName: string;
  /** tokens in the best hypothesis */
  length: number | null;
  /** the best hypothesis was cut by maxNewTokens before EOS */
  stoppedAtLimit: boolean;
}

export interface PromptGroup {
  prompt: string;
  /** the task example's index when every run of the group answered the same one */
  taskIndex: number | null;
  rows: CompareRow[];
}

export function compareRow(run: RunSummary): CompareRow {
  const best = run.result?.nBest[0];
  let ownScore = best?.score ?? null;
  if (run.config.strategy === 'hmm') {
    const analysis = parseStrategyAnalysis(run.result?.analysis);
    ownScore = analysis?.kind === 'hmm-trellis' ? (analysis.answer?.share ?? null) : null;
  }
  return {
    run,
    pathLogprob: best?.logprob ?? null,
    ownScore,
    scoreName: ownScoreName(run.config),
    length: best ? best.tokenIds.length : null,
    stoppedAtLimit:
      !!best &&
      best.endedWithEos === false &&
      !run.result?.cancelled &&
      best.tokenIds.length >= run.config.maxNewTokens,
  };
}

/** Runs grouped by prompt, groups in the order their first run appears. */
export function groupByPrompt(runs: readonly RunSummary[]): PromptGroup[] {
  const groups = new Map<string, PromptGroup>();
  for (const run of runs) {
    let group = groups.get(run.prompt);
    if (!group) {
      group = { prompt: run.prompt, taskIndex: run.task?.index ?? null, rows: [] };
      groups.set(run.prompt, group);
    }
    if ((run.task?.index ?? null) !== group.taskIndex) group.taskIndex = null;
    group.rows.push(compareRow(run));
  }
  return [...groups.values()];
}

const names = (runs: readonly RunSummary[]) => runs.map((r) => `"${r.label}"`).join(', ');

/**
 * Why the ticked runs cannot go into one comparison file (one prompt, one model), naming the runs to untick: those
 * outside the biggest group (the first one on a tie). Null when they can.
 */
export function exportConflict(ticked: readonly RunSummary[]): string | null {
  const check = (key: (r: RunSummary) => string, what: string): string | null => {
    const groups = new Map<string, RunSummary[]>();
    for (const run of ticked) groups.set(key(run), [...(groups.get(key(run)) ?? []), run]);
    if (groups.size <= 1) return null;
    const keep = [...groups.values()].reduce((a, b) => (b.length > a.length ? b : a));
    const untick = ticked.filter((r) => !keep.includes(r));
    return `One comparison file holds one ${what}: untick ${names(untick)} to export the ${keep.length} run${keep.length > 1 ? 's' : ''} of ${what} ${JSON.stringify(key(keep[0]!).slice(0, 60))}, or export each ${what} separately.`;
  };
  return check((r) => r.prompt, 'prompt') ?? check((r) => r.model ?? '', 'model');
}
