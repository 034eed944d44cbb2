import { describe, expect, it } from 'vitest';
import { layoutTrellis, TRELLIS_SPACING } from '../../../src/renderer/src/lib/analysis/trellis-layout';
import type { HmmAnalysis, TrellisCell } from '../../../src/shared/analysis';

const cell = (
  state: number,
  alpha: number | null,
  beta: number | null,
  gamma: number,
  members: number[],
): TrellisCell => ({
  state,
  alpha,
  beta,
  gamma,
  endMass: null,
  members,
  best: members[0]!,
  delta: alpha,
  backPointer: null,
});

// depth 0: one state holding the prompt; depth 1: two states (mass 0.75 / 0.25); depth 2: two states
const analysis: HmmAnalysis = {
  kind: 'hmm-trellis',
  states: 2,
  seed: 0,
  trellis: [
    { depth: 0, logZ: 0, states: [cell(0, 0, 0, 1, [0])] },
    { depth: 1, logZ: 0, states: [cell(0, Math.log(0.75), 0, 0.75, [1, 2]), cell(1, Math.log(0.25), 0, 0.25, [3])] },
    { depth: 2, logZ: 0, states: [cell(0, Math.log(0.5), 0, 0.5, [4]), cell(1, Math.log(0.5), null, 0.5, [5])] },
  ],
  transitions: [
    { depth: 1, from: 0, to: 0, logProb: Math.log(0.75) },
    { depth: 1, from: 0, to: 1, logProb: Math.log(0.25) },
    { depth: 2, from: 0, to: 0, logProb: Math.log(0.5) },
    { depth: 2, from: 0, to: 1, logProb: Math.log(1 / 6) },
    { depth: 2, from: 1, to: 1, logProb: Math.log(1) },
  ],
  viterbi: { path: [0, 0, 0], logProb: Math.log(0.375) },
  answer: null,
  stateConcepts: [{ depth: 1, state: 1, concept: 'wumpus', share: 1 }],
};

describe('trellis layout', () => {
  const { dx, dy, margin, maxEdge } = TRELLIS_SPACING;
  const layout = layoutTrellis(analysis);

  it('places state j at depth t on a grid and shades by γ', () => {
    expect(layout.depths).toBe(3);
    expect(layout.states).toBe(2);
    const c = layout.cells.find((c) => c.depth === 2 && c.state === 1)!;
    expect([c.x, c.y]).toEqual([margin + 2 * dx, margin + dy]);
    expect(c.shade).toBe(0.5);
    expect(layout.width).toBe(2 * margin + 2 * dx);
    expect(layout.cells.find((c) => c.depth === 1 && c.state === 1)!.concept?.concept).toBe('wumpus');
  });

  it('draws the Viterbi path through its cells and marks its edges', () => {
    expect(layout.viterbi).toEqual([0, 1, 2].map((t) => ({ x: margin + t * dx, y: margin })));
    expect(layout.cells.filter((c) => c.onViterbi).map((c) => `${c.depth}:${c.state}`)).toEqual(['0:0', '1:0', '2:0']);
    expect(layout.edges.filter((e) => e.viterbi).map((e) => `${e.depth}:${e.fromState}>${e.toState}`)).toEqual([
      '1:0>0',
      '2:0>0',
    ]);
  });

  it("makes edge width the mass that flows: α_{t-1}(i)·A_t(i→j), relative to the depth's biggest flow", () => {
    const edge = (depth: number, from: number, to: number) =>
      layout.edges.find((e) => e.depth === depth && e.fromState === from && e.toState === to)!;
    // depth 2 flows: 0.75·0.5 = 0.375, 0.75/6 = 0.125, 0.25·1 = 0.25 (sum 0.75)
    expect(edge(2, 0, 0).width).toBeCloseTo(maxEdge, 9);
    expect(edge(2, 0, 1).width).toBeCloseTo(maxEdge / 3, 9);
    expect(edge(2, 1, 1).width).toBeCloseTo((maxEdge * 2) / 3, 9);
    expect(edge(2, 1, 1).share).toBeCloseTo(0.25 / 0.75, 9);
    expect(edge(1, 0, 1).share).toBeCloseTo(0.25, 9);
  });

  it('shades α and β within each depth (log values shrink with depth); no mass is unshaded', () => {
    const alpha = layoutTrellis(analysis, 'alpha');
    const a = (d: number, s: number) => alpha.cells.find((c) => c.depth === d && c.state === s)!;
    expect(a(1, 0).shade).toBe(1);
    expect(a(1, 1).shade).toBeCloseTo(0.15, 9);
    expect(a(1, 0).value).toBeCloseTo(Math.log(0.75), 12);
    const beta = layoutTrellis(analysis, 'beta');
    const b = beta.cells.find((c) => c.depth === 2 && c.state === 1)!;
    expect(b.shade).toBe(0);
    expect(b.value).toBeNull();
  });
});
