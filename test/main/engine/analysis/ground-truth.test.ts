import { describe, expect, it } from 'vitest';
import {
  currentConceptOf,
  groundTruthSummary,
  normalizedMutualInformation,
  purity,
  recallAtK,
  scoreStatesPerDepth,
  thoughtFrontierRecall,
} from '../../../../src/main/engine/analysis/ground-truth';
import type { TaskContext } from '../../../../src/main/engine/search/task-context';

const task: TaskContext = {
  index: 0,
  options: ['zhorpus', 'gerpus'],
  answer: 'zhorpus',
  frontiers: [['wumpus'], ['yumpus', 'bimpus'], ['zhorpus', 'gerpus', 'larpus']],
  currentConcepts: ['wumpus', 'yumpus', 'zhorpus'],
};

describe('purity', () => {
  it('counts the majority label of every cluster', () => {
    // cluster 0: a a b → 2; cluster 1: b b → 2; cluster 2: c → 1; total 5/6
    expect(purity([0, 0, 0, 1, 1, 2], ['a', 'a', 'b', 'b', 'b', 'c'])).toBeCloseTo(5 / 6, 12);
    expect(purity([0, 1, 2], ['a', 'a', 'a'])).toBe(1);
    expect(purity([0, 0, 0, 0], ['a', 'b', 'c', 'd'])).toBe(0.25);
  });
});

describe('normalized mutual information', () => {
  it('is 1 for the same partition under other names and 0 for independent ones', () => {
    expect(normalizedMutualInformation([0, 0, 1, 1, 2], ['x', 'x', 'y', 'y', 'z'])).toBeCloseTo(1, 12);
    // every cluster holds one of each label: independent
    expect(normalizedMutualInformation([0, 0, 1, 1], ['a', 'b', 'a', 'b'])).toBeCloseTo(0, 12);
    expect(normalizedMutualInformation([0, 0, 0], ['a', 'b', 'c'])).toBe(0);
  });
  it('matches a hand computation (scikit-learn arithmetic normalisation)', () => {
    // clusters [0,0,1,1], labels [a,a,a,b]: I = 0.5 log2·… computed by hand
    const n = 4;
    const pc = [0.5, 0.5];
    const pl = [0.75, 0.25];
    const joint = [
      [0.5, 0],
      [0.25, 0.25],
    ];
    let mi = 0;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++)
        if (joint[i]![j]! > 0) mi += joint[i]![j]! * Math.log(joint[i]![j]! / (pc[i]! * pl[j]!));
    const h = (p: number[]) => -p.reduce((s, x) => s + x * Math.log(x), 0);
    expect(n).toBe(4);
    // sklearn.metrics.normalized_mutual_info_score([0,0,1,1],[0,0,0,1]) = 0.34371101848545077
    expect(normalizedMutualInformation([0, 0, 1, 1], ['a', 'a', 'a', 'b'])).toBeCloseTo(mi / ((h(pc) + h(pl)) / 2), 12);
    expect(normalizedMutualInformation([0, 0, 1, 1], ['a', 'a', 'a', 'b'])).toBeCloseTo(0.34371101848545077, 10);
  });
});

describe('recall at k', () => {
  it('is the share of the truth among the first k predictions', () => {
    expect(recallAtK(['a', 'b', 'c', 'd'], ['b', 'd', 'z'], 2)).toBeCloseTo(1 / 3, 12);
    expect(recallAtK(['a', 'b', 'c', 'd'], ['b', 'd', 'z'])).toBeCloseTo(2 / 3, 12);
    expect(recallAtK([], ['a'])).toBe(0);
    expect(recallAtK(['a'], [])).toBe(1);
  });
  it('scores a thought against the next breadth-first frontier', () => {
    expect(thoughtFrontierRecall([' yumpus', 'every'], task, 0)).toBe(0.5);
    expect(thoughtFrontierRecall(['zhorpus', 'gerpus', 'larpus', 'x'], task, 1)).toBe(1);
    expect(thoughtFrontierRecall(['zhorpus'], task, 2)).toBeUndefined();
  });
});

describe('current concept and state scores', () => {
  it('takes the last concept word of the hypothesis, else the start', () => {
    expect(currentConceptOf(['every', 'wumpus', 'is', 'a', 'yumpus', '.'], task)).toBe('yumpus');
    expect(currentConceptOf(['every'], task)).toBe('wumpus');
    expect(currentConceptOf(['every', 'bimpus', 'is'], task)).toBe('bimpus');
  });
  it('scores states per depth', () => {
    const concept: Record<number, string> = { 1: 'a', 2: 'a', 3: 'b', 4: 'b', 5: 'a' };
    const scores = scoreStatesPerDepth(
      [
        { depth: 1, members: [1, 2, 3, 4].map((nodeId) => ({ nodeId, state: nodeId <= 2 ? 0 : 1 })) },
        {
          depth: 2,
          members: [
            { nodeId: 5, state: 0 },
            { nodeId: 6, state: 0 },
          ],
        },
      ],
      (id) => concept[id] ?? null,
    );
    expect(scores[0]).toMatchObject({ depth: 1, n: 4, purity: 1, nmi: 1, concepts: 2 });
    expect(scores[1]).toMatchObject({ depth: 2, n: 1, purity: 1, nmi: 1, concepts: 1 });
  });
});

describe('ground-truth summary', () => {
  it('pools HMM depths with at least two true concepts, beside their chance level', () => {
    const mass = (weight: number) => ({ weight, purity: 1, nmi: 1, purityChance: 0.5, nmiChance: 0.2 });
    const analysis = {
      kind: 'hmm-trellis',
      states: 2,
      seed: 0,
      trellis: [],
      transitions: [],
      viterbi: { path: [], logProb: null },
      answer: null,
      groundTruth: [
        { depth: 0, n: 1, purity: 1, nmi: 1, concepts: 1, purityChance: 1, nmiChance: 1, mass: mass(1) },
        { depth: 1, n: 2, purity: 0.5, nmi: 0, concepts: 2, purityChance: 0.5, nmiChance: 0, mass: mass(0.5) },
        { depth: 2, n: 6, purity: 1, nmi: 0.8, concepts: 3, purityChance: 0.6, nmiChance: 0.3, mass: mass(0.25) },
      ],
    };
    const s = groundTruthSummary(analysis)!.states!;
    expect(s.count.purity).toBeCloseTo((0.5 * 2 + 6) / 8, 12);
    expect(s.count.nmi).toBeCloseTo((0.8 * 6) / 8, 12);
    expect(s.count.purityChance).toBeCloseTo((0.5 * 2 + 0.6 * 6) / 8, 12);
    expect(s.count.nmiLift).toBeCloseTo((0.8 * 6) / 8 - (0.3 * 6) / 8, 12);
    expect(s.mass.weight).toBeCloseTo(0.75, 12);
    expect(s.mass.purityChance).toBeCloseTo(0.5, 12);
  });
  it('reads the latent mean frontier recall, and nothing from other analyses', () => {
    const latent = {
      kind: 'latent-thoughts',
      mode: 'mixture',
      thoughts: [],
      meanFrontierRecall: 0.25,
      answer: 'greedy',
    };
    expect(groundTruthSummary(latent)).toEqual({ frontierRecall: 0.25 });
    expect(groundTruthSummary({ rolloutCounts: {} })).toBeNull();
    expect(groundTruthSummary(undefined)).toBeNull();
  });
});
