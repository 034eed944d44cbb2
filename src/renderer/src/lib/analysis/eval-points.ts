import type { EvalScore } from '../../../../shared/eval';
import { StrategyConfigSchema } from '../../../../shared/strategies';
import { paretoFront } from './pareto';

export type ComputeAxis = 'forwardPasses' | 'tokensEvaluated' | 'wallTimeMs';

export const AXIS_NAMES: Record<ComputeAxis, string> = {
  forwardPasses: 'forward passes',
  tokensEvaluated: 'tokens evaluated',
  wallTimeMs: 'wall time (ms)',
};

export interface EvalPoint {
  label: string;
  x: number;
  y: number;
  examples: number;
  onFront: boolean;
  score: EvalScore;
}

/** The settings that tell this setting apart from the strategy's defaults (the token limit and top-k shown left out). */
export function settingLabel(config: Record<string, unknown>): string {
  const strategy = String(config.strategy);
  const parsed = StrategyConfigSchema.safeParse({ strategy });
  const defaults = (parsed.success ? parsed.data : {}) as Record<string, unknown>;
  const detail = Object.entries(config)
    .filter(
      ([k, v]) =>
        k !== 'strategy' &&
        k !== 'maxNewTokens' &&
        k !== 'topkShown' &&
        JSON.stringify(v) !== JSON.stringify(defaults[k]),
    )
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? Object.values(v).join(':') : String(v)}`);
  return detail.length > 0 ? `${strategy} ${detail.join(' ')}` : strategy;
}

/** One point per strategy setting: compute per example on x (so runs over different N compare), accuracy on y. */
export function evalPoints(scores: readonly EvalScore[], axis: ComputeAxis): EvalPoint[] {
  const points = scores.map((score) => ({
    label: settingLabel(score.config),
    x: score[axis] / Math.max(1, score.examples),
    y: score.accuracy,
    examples: score.examples,
    onFront: false,
    score,
  }));
  for (const p of paretoFront(points)) p.onFront = true;
  return points;
}

/**
 * Label positions beside chart points that do not overlap: each label starts just above-right of its point and
 * moves down a line at a time while it overlaps one already placed (labels are placed top to bottom).
 */
export function placeLabels(
  items: readonly { x: number; y: number; width: number }[],
  lineHeight = 11,
): { x: number; y: number }[] {
  const order = items.map((_, i) => i).sort((a, b) => items[a]!.y - items[b]!.y || items[a]!.x - items[b]!.x);
  const placed: { x: number; y: number; width: number }[] = [];
  const out: { x: number; y: number }[] = new Array(items.length);
  for (const i of order) {
    const item = items[i]!;
    const box = { x: item.x + 7, y: item.y - 5, width: item.width };
    while (placed.some((p) => Math.abs(p.y - box.y) < lineHeight && box.x < p.x + p.width && p.x < box.x + box.width))
      box.y += lineHeight;
    placed.push(box);
    out[i] = { x: box.x, y: box.y };
  }
  return out;
}
