import { describe, expect, it } from 'vitest';
import {
  chanceLevel,
  codeLabels,
  poolDepths,
  weightedNmi,
  weightedPurity,
} from '../../../../src/main/engine/analysis/state-scores';
import { scoreStatesPerDepth, summarizeStateScores } from '../../../../src/main/engine/analysis/ground-truth';

const items = (states: number[], concepts: string[], weights?: number[]) => ({
  states: Int32Array.from(states),
  concepts: codeLabels(concepts),
  weights: Float64Array.from(weights ?? states.map(() => 1)),
});

describe('weighted purity and NMI', () => {
  it('match a hand-computed table', () => {
    // states 0 0 0 1 1, concepts a a b b b, weights .05 .05 .5 .2 .2
    // count: state 0 holds a,a,b → 2; state 1 holds b,b → 2; purity 4/5
    // mass:  state 0 holds a .1, b .5 → .5; state 1 holds b .4 → .4; purity .9
    // mass joint (0,a) .1 (0,b) .5 (1,b) .4; p(S) = .6 .4; p(C) = .1 .9
    // I = .1 ln(.1/.06) + .5 ln(.5/.54) + .4 ln(.4/.36) = 0.0547463
    // H(S) = 0.6730117, H(C) = 0.3250830, NMI = I / ((H(S) + H(C)) / 2) = 0.1097017
    const x = items([0, 0, 0, 1, 1], ['a', 'a', 'b', 'b', 'b'], [0.05, 0.05, 0.5, 0.2, 0.2]);
    const ones = new Float64Array(5).fill(1);
    expect(weightedPurity(x.states, x.concepts, ones)).toBeCloseTo(0.8, 12);
    expect(weightedPurity(x.states, x.concepts, x.weights)).toBeCloseTo(0.9, 12);
    expect(weightedNmi(x.states, x.concepts, x.weights)).toBeCloseTo(0.1097017, 6);
    // count NMI: joint (0,a) 2/5 (0,b) 1/5 (1,b) 2/5; p(S) = 3/5 2/5; p(C) = 2/5 3/5
    const mi = 0.4 * Math.log(0.4 / 0.24) + 0.2 * Math.log(0.2 / 0.36) + 0.4 * Math.log(0.4 / 0.24);
    const h = -(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4));
    expect(weightedNmi(x.states, x.concepts, ones)).toBeCloseTo(mi / h, 12);
  });
  it('scale-free in the weights', () => {
    const x = items([0, 1, 1, 2], ['a', 'b', 'a', 'c'], [1, 2, 3, 4]);
    const scaled = x.weights.map((w) => w * 1e-6);
    expect(weightedPurity(x.states, x.concepts, scaled)).toBeCloseTo(
      weightedPurity(x.states, x.concepts, x.weights),
      12,
    );
    expect(weightedNmi(x.states, x.concepts, scaled)).toBeCloseTo(weightedNmi(x.states, x.concepts, x.weights), 12);
  });
});

/** Mean purity / NMI over every ordering of the state labels, enumerated here independently of the module. */
function enumerateChance(states: number[], concepts: string[], weights?: number[]) {
  const x = items(states, concepts, weights);
  let purity = 0;
  let nmi = 0;
  let count = 0;
  const used = new Array<boolean>(states.length).fill(false);
  const order: number[] = [];
  const walk = () => {
    if (order.length === states.length) {
      const s = Int32Array.from(order, (i) => states[i]!);
      purity += weightedPurity(s, x.concepts, x.weights);
      nmi += weightedNmi(s, x.concepts, x.weights);
      count++;
      return;
    }
    for (let i = 0; i < states.length; i++) {
      if (used[i]) continue;
      used[i] = true;
      order.push(i);
      walk();
      order.pop();
      used[i] = false;
    }
  };
  walk();
  return { purity: purity / count, nmi: nmi / count };
}

describe('chance level', () => {
  it('is exact on a tiny case (hand enumeration)', () => {
    // states {0,0,1} over concepts a b b: the lone state sits on a (purity 1, NMI 1) or on a b (purity 2/3, NMI 0.2740160)
    const chance = chanceLevel(items([0, 0, 1], ['a', 'b', 'b']), 0);
    expect(chance.exact).toBe(true);
    expect(chance.permutations).toBe(6);
    expect(chance.purity).toBeCloseTo(7 / 9, 12);
    const nmiSplit = ((2 / 3) * Math.log(1.5) + (1 / 3) * Math.log(0.75)) / (Math.log(3) - (2 / 3) * Math.log(2));
    expect(nmiSplit).toBeCloseTo(0.274016, 5);
    expect(chance.nmi).toBeCloseTo((1 + 2 * nmiSplit) / 3, 12);
  });
  it('equals exact enumeration for up to 7 items, weighted too', () => {
    const states = [0, 0, 1, 1, 2, 2, 2];
    const concepts = ['a', 'a', 'b', 'c', 'c', 'a', 'b'];
    const weights = [0.3, 0.1, 0.05, 0.2, 0.15, 0.1, 0.1];
    const exact = enumerateChance(states, concepts, weights);
    const chance = chanceLevel(items(states, concepts, weights), 1);
    expect(chance.exact).toBe(true);
    expect(chance.purity).toBeCloseTo(exact.purity, 12);
    expect(chance.nmi).toBeCloseTo(exact.nmi, 12);
  });
  it('seeded permutations approach exact enumeration past 7 items, reproducibly', () => {
    const states = [0, 0, 0, 1, 1, 2, 2, 3];
    const concepts = ['a', 'a', 'b', 'b', 'c', 'c', 'a', 'd'];
    const exact = enumerateChance(states, concepts);
    const sampled = chanceLevel(items(states, concepts), 42, 4000);
    expect(sampled.exact).toBe(false);
    expect(sampled.permutations).toBe(4000);
    expect(Math.abs(sampled.purity - exact.purity)).toBeLessThan(0.01);
    expect(Math.abs(sampled.nmi - exact.nmi)).toBeLessThan(0.01);
    expect(chanceLevel(items(states, concepts), 42)).toEqual(chanceLevel(items(states, concepts), 42));
    // the actual clustering here is better than chance
    const s = items(states, concepts);
    expect(weightedPurity(s.states, s.concepts, s.weights)).toBeGreaterThan(exact.purity);
  });
});

describe('pooled state scores', () => {
  it('skip depths with fewer than two true concepts and weight depths by hypotheses or by mass', () => {
    const concept: Record<number, string> = { 1: 'x', 2: 'x', 3: 'y', 4: 'y', 5: 'x', 6: 'y', 7: 'y', 10: 'x' };
    const scores = scoreStatesPerDepth(
      [
        { depth: 0, members: [{ nodeId: 10, state: 0, logMass: 0 }] },
        // depth 1: perfect clustering, mass .5 + .2 + .2 + .1
        {
          depth: 1,
          members: [1, 2, 3, 4].map((nodeId, i) => ({
            nodeId,
            state: nodeId <= 2 ? 0 : 1,
            logMass: Math.log([0.5, 0.2, 0.2, 0.1][i]!),
          })),
        },
        // depth 2: one state over x y y: purity 2/3, NMI 0
        { depth: 2, members: [5, 6, 7].map((nodeId) => ({ nodeId, state: 0, logMass: Math.log(0.1) })) },
      ],
      (id) => concept[id] ?? null,
    );
    expect(scores.map((s) => s.concepts)).toEqual([1, 2, 2]);
    expect(scores[1]!.purity).toBe(1);
    expect(scores[1]!.nmi).toBeCloseTo(1, 12);
    expect(scores[1]!.mass!.weight).toBeCloseTo(1, 12);
    expect(scores[2]!.mass!.weight).toBeCloseTo(0.3, 12);
    // depth 1 chance: 4 items, exact: states {0,0,1,1} over x x y y; 2 of the 6 arrangements are perfect (purity 1), 4 mix (1/2)
    expect(scores[1]!.purityChance).toBeCloseTo((2 * 1 + 4 * 0.5) / 6, 12);
    // one state: every arrangement is the same
    expect(scores[2]!.purityChance).toBeCloseTo(2 / 3, 12);
    const summary = summarizeStateScores(scores)!;
    expect(summary.count.depths).toBe(2);
    expect(summary.count.weight).toBe(7);
    expect(summary.count.purity).toBeCloseTo((4 * 1 + 3 * (2 / 3)) / 7, 12);
    expect(summary.count.nmi).toBeCloseTo(4 / 7, 12);
    expect(summary.count.purityLift).toBeCloseTo(summary.count.purity - summary.count.purityChance, 12);
    expect(summary.mass.weight).toBeCloseTo(1.3, 12);
    expect(summary.mass.purity).toBeCloseTo((1 * 1 + 0.3 * (2 / 3)) / 1.3, 12);
    expect(summary.mass.nmi).toBeCloseTo(1 / 1.3, 12);
    expect(poolDepths([])).toBeNull();
    expect(summarizeStateScores([scores[0]!])).toBeNull();
  });
});
