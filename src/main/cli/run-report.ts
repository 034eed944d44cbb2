import type { RunResult, RunStats } from '../../shared/run';
import type { StrategyConfig } from '../../shared/strategies';
import type { TreeState } from '../../shared/tree';
import { formatBytes, formatTable } from './table';

export function describeConfig(config: StrategyConfig): string {
  const { strategy, ...rest } = config;
  return `${strategy} ${JSON.stringify(rest)}`;
}

export function statsRows(stats: RunStats): [string, string | number][] {
  return [
    ['nodes created', stats.nodesCreated],
    ['nodes expanded', stats.nodesExpanded],
    ['nodes pruned', stats.nodesPruned],
    ['nodes merged', stats.nodesMerged],
    ['forward passes', stats.forwardPasses],
    ['tokens evaluated', stats.tokensEvaluated],
    ['wall time (ms)', Math.round(stats.wallTimeMs)],
    ['peak KV cache', formatBytes(stats.peakKvBytes)],
    ['probability mass covered', stats.coveredMass.toFixed(4)],
  ];
}

/** What each continuous thought superposes, read through the logit lens (latent runs). */
export function formatThoughts(tree: TreeState): string | null {
  const thoughts = tree.order.map((id) => tree.nodes[id]!).filter((n) => n.kind === 'thought' && n.latent);
  if (thoughts.length === 0) return null;
  const lines = ['thoughts (logit lens of what each thought superposes):'];
  thoughts.forEach((n, i) => {
    const latent = n.latent!;
    const top = latent.topk.map((t) => `${t.text} ${Math.exp(t.logprob).toFixed(2)}`).join(', ');
    const recall = latent.frontierRecall !== undefined ? `, frontier recall ${latent.frontierRecall.toFixed(2)}` : '';
    lines.push(
      `  ${i + 1}. ${latent.bigLogits} big logits (mass ${latent.bigMass.toFixed(2)}, entropy ${latent.entropy.toFixed(2)}${recall}): ${top}`,
    );
  });
  return lines.join('\n');
}

export function formatRun(config: StrategyConfig, stats: RunStats, result: RunResult): string {
  const lines = [`strategy: ${describeConfig(config)}`];
  if (result.cancelled) lines.push('(cancelled: partial result)');
  lines.push(`best: ${JSON.stringify(result.bestText)}  score ${result.bestScore?.toFixed(4) ?? 'n/a'}`);
  if (result.task)
    lines.push(
      `task: ${result.task.verdict}, chain ${result.task.chainValid === null ? 'n/a (latent facts)' : result.task.chainValid ? 'valid' : 'invalid'}`,
    );
  if (result.nBest.length > 1) {
    lines.push('n-best:');
    result.nBest.forEach((h, i) => lines.push(`  ${i + 1}. ${h.score.toFixed(4)}  ${JSON.stringify(h.text)}`));
  }
  lines.push(formatTable(['stat', 'value'], statsRows(stats)));
  return lines.join('\n');
}

/** One row per run for `compare`. */
export function comparisonTable(runs: { config: StrategyConfig; stats: RunStats; result: RunResult }[]): string {
  return formatTable(
    [
      'strategy',
      'best text',
      'score',
      'task',
      'critical',
      'nodes',
      'expanded',
      'pruned',
      'merged',
      'passes',
      'tokens',
      'ms',
      'peak KV',
      'mass',
    ],
    runs.map(({ config, stats, result }) => [
      config.strategy,
      truncate(result.bestText, 48),
      result.bestScore ?? NaN,
      result.task?.verdict ?? '-',
      result.critical?.length ?? 0,
      stats.nodesCreated,
      stats.nodesExpanded,
      stats.nodesPruned,
      stats.nodesMerged,
      stats.forwardPasses,
      stats.tokensEvaluated,
      Math.round(stats.wallTimeMs),
      formatBytes(stats.peakKvBytes),
      stats.coveredMass,
    ]),
  );
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
