import { describe, expect, it } from 'vitest';
import { encodePrompt, runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixtureModel } from '../../../helpers/fixtures';
import { referenceBeamSearch } from '../../../oracles/beam-reference';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { topCandidates } from '../../../../src/main/engine/strategies/beam';
import { logprobAt, logSoftmaxNorm } from '../../../../src/main/engine/math/log-softmax';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

const PROMPT_IDS = [1, 2];

async function promptOf(fixture: string) {
  const model = await fixtureModel(fixture);
  const text = model.tokenizer.decode(PROMPT_IDS);
  return { model, text, ids: encodePrompt(model, text) };
}

async function run(fixture: string, config: Record<string, unknown>) {
  const { model, text } = await promptOf(fixture);
  return runSearch({ model, prompt: text, config: resolveStrategyConfig(config) });
}

describe.each(['lab-tiny', 'hf-gpt2-tiny', 'hf-llama-tiny'])('greedy and beam on %s (property 2)', (fixture) => {
  it('greedy equals beam search with width 1', async () => {
    for (const maxNewTokens of [1, 3, 6]) {
      const g = await run(fixture, { strategy: 'greedy', maxNewTokens });
      const b = await run(fixture, { strategy: 'beam', numBeams: 1, maxNewTokens });
      expect(b.result.nBest[0]!.tokenIds).toEqual(g.result.nBest[0]!.tokenIds);
      expect(b.result.nBest[0]!.logprob).toBeCloseTo(g.result.nBest[0]!.logprob, 9);
    }
  });

  it('greedy records the runner-ups as pruned and follows the argmax', async () => {
    const out = await run(fixture, { strategy: 'greedy', maxNewTokens: 4, topkShown: 3 });
    for (const node of Object.values(out.tree.nodes)) {
      if (node.status !== 'expanded') continue;
      const children = Object.values(out.tree.nodes).filter((n) => n.parents[0] === node.id);
      expect(children).toHaveLength(4);
      const chosen = children.filter((c) => c.status !== 'pruned');
      expect(chosen).toHaveLength(1);
      for (const c of children) expect(chosen[0]!.logprob).toBeGreaterThanOrEqual(c.logprob);
      expect(node.topk![0]!.tokenId).toBe(chosen[0]!.tokenId);
    }
  });

  const settings = [
    { numBeams: 2, lengthPenalty: 1, earlyStopping: false, maxNewTokens: 4 },
    { numBeams: 3, lengthPenalty: 0.5, earlyStopping: true, maxNewTokens: 5 },
    { numBeams: 3, lengthPenalty: 2, earlyStopping: 'never', maxNewTokens: 4 },
    { numBeams: 4, lengthPenalty: -1, earlyStopping: 'never', maxNewTokens: 3 },
    { numBeams: 5, lengthPenalty: 1, earlyStopping: false, maxNewTokens: 5 },
  ] as const;

  it.each(settings)('beam search equals the plain Hugging Face reference (%o)', async (s) => {
    const { model, ids } = await promptOf(fixture);
    const ref = await referenceBeamSearch(model, ids, s);
    const out = await run(fixture, { strategy: 'beam', ...s, numReturn: s.numBeams });
    expect(out.result.nBest.map((h) => h.tokenIds)).toEqual(ref.map((h) => h.tokens));
    out.result.nBest.forEach((h, i) => {
      expect(h.score).toBeCloseTo(ref[i]!.score, 5);
      expect(h.logprob).toBeCloseTo(ref[i]!.sumLogprobs, 5);
    });
    // one batched pass per step, never more
    expect(out.stats.forwardPasses).toBeLessThanOrEqual(s.maxNewTokens);
  });

  it('with a width covering every candidate, beam search returns the exhaustive optimum', async () => {
    const { model, ids } = await promptOf(fixture);
    const maxNewTokens = 3;
    for (const lengthPenalty of [0, 1]) {
      const exact = await enumerateSequences(model, ids, maxNewTokens);
      const scoreOf = (s: { tokens: number[]; logprob: number }) => s.logprob / s.tokens.length ** lengthPenalty;
      const best = exact.reduce((a, b) => (scoreOf(b) > scoreOf(a) ? b : a));
      const out = await run(fixture, { strategy: 'beam', numBeams: 256, lengthPenalty, maxNewTokens });
      expect(out.result.nBest[0]!.tokenIds).toEqual(best.tokens);
      expect(out.result.nBest[0]!.score).toBeCloseTo(scoreOf(best), 6);
    }
  });

  it('keeps the candidates it did not choose in the tree as pruned', async () => {
    const out = await run(fixture, { strategy: 'beam', numBeams: 2, maxNewTokens: 3 });
    const nodes = Object.values(out.tree.nodes);
    expect(nodes.filter((n) => n.status === 'pruned').length).toBeGreaterThan(0);
    expect(out.stats.nodesPruned).toBe(nodes.filter((n) => n.status === 'pruned').length);
    // each step proposes 2B candidates: every expanded node's children were candidates
    expect(nodes.filter((n) => n.kind === 'token').length).toBeLessThanOrEqual(2 * 2 * 3);
  });
});

describe('topCandidates', () => {
  it('equals a full sort of every (beam, token) by score, then beam, then token, ties included', () => {
    const random = new SeededRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const beams = 1 + Math.floor(random.next() * 6);
      const vocab = 2 + Math.floor(random.next() * 12);
      const count = 1 + Math.floor(random.next() * 10);
      // few distinct values, so that equal scores within and across beams are common
      const scores = Array.from({ length: beams }, () => -Math.floor(random.next() * 3));
      const distributions = scores.map(() => {
        const logits = Float32Array.from({ length: vocab }, (_, t) =>
          t > 0 && random.next() < 0.1 ? -Infinity : Math.floor(random.next() * 4),
        );
        return { logits, ...logSoftmaxNorm(logits) };
      });
      const all = scores.flatMap((s, beam) =>
        [...distributions[beam]!.logits.keys()]
          .filter((token) => distributions[beam]!.logits[token]! > -Infinity)
          .map((token) => ({ beam, token, score: s + logprobAt(distributions[beam]!, token) })),
      );
      all.sort((a, b) => b.score - a.score || a.beam - b.beam || a.token - b.token);
      expect(topCandidates(scores, distributions, count)).toEqual(all.slice(0, count));
    }
  });

  it("equals the full sort on beam-8-sized steps, where most of a later beam's logits cannot reach the best 16", () => {
    const random = new SeededRandom(12);
    for (let trial = 0; trial < 100; trial++) {
      const vocab = 300;
      // beams of unequal scores, peaked distributions with a long tail (as a trained model's)
      const scores = Array.from({ length: 8 }, () => -random.next() * 6);
      const distributions = scores.map(() => {
        const logits = Float32Array.from(
          { length: vocab },
          () => (random.next() < 0.05 ? 8 : 0) + random.next() * 6 - 3,
        );
        return { logits, ...logSoftmaxNorm(logits) };
      });
      const all = scores.flatMap((s, beam) =>
        [...distributions[beam]!.logits.keys()].map((token) => ({
          beam,
          token,
          score: s + logprobAt(distributions[beam]!, token),
        })),
      );
      all.sort((a, b) => b.score - a.score || a.beam - b.beam || a.token - b.token);
      expect(topCandidates(scores, distributions, 16)).toEqual(all.slice(0, 16));
    }
  });
});
