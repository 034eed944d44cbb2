import { describe, expect, it } from 'vitest';
import { answerVote, passAtK } from '../../../src/renderer/src/lib/analysis/vote';
import { evalPoints, placeLabels, settingLabel } from '../../../src/renderer/src/lib/analysis/eval-points';
import { paretoFront } from '../../../src/renderer/src/lib/analysis/pareto';
import type { Hypothesis } from '../../../src/shared/run';

const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : k === 0 ? 1 : (choose(n - 1, k - 1) * n) / k);

describe('pass@k', () => {
  it('equals 1 − C(n−c,k)/C(n,k) on every small case', () => {
    for (let n = 1; n <= 9; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 12);
  });
  it('is the fraction correct at k = 1, and 0 or 1 at the extremes', () => {
    expect(passAtK(8, 3, 1)).toBeCloseTo(3 / 8, 12);
    expect(passAtK(8, 0, 8)).toBe(0);
    expect(passAtK(8, 1, 8)).toBe(1);
    expect(() => passAtK(4, 1, 5)).toThrow(RangeError);
  });
});

const hyp = (nodeId: number, answer: string | null, verdict: 'correct' | 'incorrect' | 'malformed'): Hypothesis => ({
  nodeId,
  text: '',
  tokenIds: [],
  score: -nodeId,
  logprob: -nodeId,
  task: { verdict, chainValid: verdict === 'correct', answer },
});

describe('answer vote', () => {
  it('counts rollouts per answer, majority over readable answers, correct rollouts', () => {
    const nBest = [
      hyp(1, 'gerpus', 'incorrect'),
      hyp(2, 'zhorpus', 'correct'),
      hyp(3, null, 'malformed'),
      hyp(4, 'zhorpus', 'correct'),
    ];
    const vote = answerVote(nBest, { 1: 3, 2: 2, 3: 4, 4: 2 })!;
    expect(vote.n).toBe(11);
    expect(vote.correct).toBe(4);
    expect(vote.histogram).toEqual([
      { answer: 'zhorpus', count: 4, correct: true },
      { answer: null, count: 4, correct: false },
      { answer: 'gerpus', count: 3, correct: false },
    ]);
    expect(vote.majority?.answer).toBe('zhorpus');
  });
  it('a tie goes to the better-ranked hypothesis; each hypothesis counts once without rollout counts', () => {
    const vote = answerVote([hyp(1, 'b', 'incorrect'), hyp(2, 'a', 'correct')])!;
    expect(vote.majority?.answer).toBe('b');
    expect(vote.n).toBe(2);
    expect(answerVote([{ ...hyp(1, 'a', 'correct'), task: undefined }])).toBeNull();
  });
});

describe('Pareto front', () => {
  it('keeps the points that no cheaper point matches in accuracy, in order of cost', () => {
    const points = [
      { x: 10, y: 0.9, id: 'greedy' },
      { x: 40, y: 0.94, id: 'beam' },
      { x: 30, y: 0.94, id: 'bfs' },
      { x: 50, y: 0.93, id: 'worse' },
      { x: 5, y: 0.97, id: 'latent' },
      { x: 5, y: 0.5, id: 'same-cost-worse' },
    ];
    expect(paretoFront(points).map((p) => p.id)).toEqual(['latent']);
    expect(paretoFront(points.filter((p) => p.id !== 'latent')).map((p) => p.id)).toEqual([
      'same-cost-worse',
      'greedy',
      'bfs',
    ]);
    expect(paretoFront([])).toEqual([]);
  });
});

describe('evaluation points', () => {
  const score = (config: Record<string, unknown>, accuracy: number, forwardPasses: number, examples = 10) => ({
    config: { strategy: 'greedy', ...config },
    examples,
    accuracy,
    forwardPasses,
    tokensEvaluated: forwardPasses * 2,
    wallTimeMs: forwardPasses * 3,
  });
  it('put compute per example on x, accuracy on y, and mark the Pareto front', () => {
    const points = evalPoints(
      [
        score({}, 0.9, 300),
        score({ strategy: 'beam', numBeams: 8, maxNewTokens: 60 }, 0.95, 900),
        score({ strategy: 'beam', numBeams: 2 }, 0.9, 800, 20),
      ],
      'forwardPasses',
    );
    expect(points.map((p) => [p.label, p.x, p.y, p.onFront])).toEqual([
      ['greedy', 30, 0.9, true],
      ['beam numBeams=8', 90, 0.95, true],
      ['beam numBeams=2', 40, 0.9, false],
    ]);
    expect(evalPoints([score({}, 0.5, 10)], 'wallTimeMs')[0]!.x).toBe(3);
  });
  it("label a setting by what differs from its strategy's defaults", () => {
    expect(settingLabel({ strategy: 'bfs', merge: { kind: 'last-n', n: 2 }, width: 16 })).toBe('bfs merge=last-n:2');
    expect(settingLabel({ strategy: 'latent', mode: 'hidden', thoughts: 6 })).toBe('latent mode=hidden thoughts=6');
  });
});

describe('chart labels', () => {
  it('move down a line while they overlap one placed above, and stay put otherwise', () => {
    const at = placeLabels([
      { x: 100, y: 50, width: 60 },
      { x: 104, y: 50, width: 60 },
      { x: 300, y: 50, width: 60 },
      { x: 102, y: 52, width: 60 },
    ]);
    expect(at).toEqual([
      { x: 107, y: 45 },
      { x: 111, y: 56 },
      { x: 307, y: 45 },
      { x: 109, y: 69 },
    ]);
  });
});
