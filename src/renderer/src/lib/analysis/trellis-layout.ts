import type { HmmAnalysis, StateConcept } from '../../../../shared/analysis';

export type TrellisMeasure = 'gamma' | 'alpha' | 'beta';

export interface TrellisCellLayout {
  depth: number;
  state: number;
  x: number;
  y: number;
  /** 0..1: the measure, scaled within its depth for α and β (log values), as is for γ */
  shade: number;
  /** the measure as a number to print (γ, or the log value) */
  value: number | null;
  members: number[];
  best: number;
  concept: StateConcept | null;
  onViterbi: boolean;
}

export interface TrellisEdgeLayout {
  from: { x: number; y: number };
  to: { x: number; y: number };
  depth: number;
  fromState: number;
  toState: number;
  /** stroke width: proportional to the mass that flows (α_{t-1}(i)·A_t(i→j)), relative to the depth's biggest flow */
  width: number;
  /** the flowing mass as a share of all the mass flowing into this depth */
  share: number;
  viterbi: boolean;
}

export interface TrellisLayout {
  width: number;
  height: number;
  cells: TrellisCellLayout[];
  edges: TrellisEdgeLayout[];
  viterbi: { x: number; y: number }[];
  depths: number;
  states: number;
}

export const TRELLIS_SPACING = { dx: 56, dy: 34, margin: 22, maxEdge: 9, minEdge: 0.75 };

const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m === -Infinity ? -Infinity : m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
};

/**
 * The trellis as a grid (x: depth, y: state index), shaded by γ (or α, β scaled per depth, since their log values
 * shrink with depth), with every transition as an edge whose width is the mass it carries and the Viterbi path
 * drawn through the cells it visits.
 */
export function layoutTrellis(analysis: HmmAnalysis, measure: TrellisMeasure = 'gamma'): TrellisLayout {
  const { dx, dy, margin, maxEdge, minEdge } = TRELLIS_SPACING;
  const states = Math.max(1, ...analysis.trellis.map((d) => Math.max(0, ...d.states.map((s) => s.state + 1))));
  const at = (depth: number, state: number) => ({ x: margin + depth * dx, y: margin + state * dy });
  const concepts = new Map((analysis.stateConcepts ?? []).map((c) => [`${c.depth}:${c.state}`, c]));
  const viterbiSet = new Set(analysis.viterbi.path.map((state, depth) => `${depth}:${state}`));
  const cells: TrellisCellLayout[] = [];
  const alphaOf = new Map<string, number>();
  for (const level of analysis.trellis) {
    const logs = level.states.map(
      (s) => (measure === 'alpha' ? s.alpha : measure === 'beta' ? s.beta : null) ?? -Infinity,
    );
    const top = Math.max(...logs);
    const bottom = Math.min(...logs.filter(Number.isFinite), top);
    for (const [i, s] of level.states.entries()) {
      alphaOf.set(`${level.depth}:${s.state}`, s.alpha ?? -Infinity);
      let shade = s.gamma;
      let value: number | null = s.gamma;
      if (measure !== 'gamma') {
        const log = logs[i]!;
        value = Number.isFinite(log) ? log : null;
        // the best state of the depth is 1, the worst finite one 0.15 (still visible), no mass 0
        shade = !Number.isFinite(log) ? 0 : top === bottom ? 1 : 0.15 + (0.85 * (log - bottom)) / (top - bottom);
      }
      cells.push({
        depth: level.depth,
        state: s.state,
        ...at(level.depth, s.state),
        shade,
        value,
        members: s.members,
        best: s.best,
        concept: concepts.get(`${level.depth}:${s.state}`) ?? null,
        onViterbi: viterbiSet.has(`${level.depth}:${s.state}`),
      });
    }
  }
  const flows = analysis.transitions.map((t) => ({
    t,
    log: (alphaOf.get(`${t.depth - 1}:${t.from}`) ?? -Infinity) + t.logProb,
  }));
  const byDepth = new Map<number, number[]>();
  for (const f of flows) byDepth.set(f.t.depth, [...(byDepth.get(f.t.depth) ?? []), f.log]);
  const edges: TrellisEdgeLayout[] = flows.map(({ t, log }) => {
    const logs = byDepth.get(t.depth)!;
    const rel = Math.exp(log - Math.max(...logs));
    return {
      from: at(t.depth - 1, t.from),
      to: at(t.depth, t.to),
      depth: t.depth,
      fromState: t.from,
      toState: t.to,
      width: Number.isFinite(log) ? Math.max(minEdge, maxEdge * rel) : 0,
      share: Number.isFinite(log) ? Math.exp(log - logSumExp(logs)) : 0,
      viterbi: analysis.viterbi.path[t.depth - 1] === t.from && analysis.viterbi.path[t.depth] === t.to,
    };
  });
  const depths = analysis.trellis.length;
  return {
    width: 2 * margin + Math.max(0, depths - 1) * dx,
    height: 2 * margin + (states - 1) * dy,
    cells,
    edges,
    viterbi: analysis.viterbi.path.map((state, depth) => at(depth, state)),
    depths,
    states,
  };
}
