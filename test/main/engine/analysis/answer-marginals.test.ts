import { describe, expect, it } from 'vitest';
import { runSearch, encodePrompt } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { BfsAnalysisSchema } from '../../../../src/shared/analysis';
import { answerMarginals, maxMarginalAnswer } from '../../../../src/main/engine/analysis/answer-marginals';
import { fixtureModel } from '../../../helpers/fixtures';
import { exhaustiveBfs } from '../../../helpers/exhaustive-bfs';
import type { MergeKey } from '../../../../src/shared/strategies';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { TOY_TASK } from '../../../helpers/toy-task';

const PROMPT = 'a b';

/** A checker stand-in: the answer is the last word of a continuation that ended with EOS, else malformed. */
const answerOf = (text: string, endedWithEos: boolean) =>
  endedWithEos ? (text.trim().split(/\s+/).pop() ?? '') : null;

describe('answer marginals', () => {
  it('group finished states by answer, most probable first, malformed kept apart', () => {
    const m = answerMarginals(
      [
        { text: 'x c', endedWithEos: true, logMass: Math.log(0.2) },
        { text: 'y d', endedWithEos: true, logMass: Math.log(0.3) },
        { text: 'z c', endedWithEos: true, logMass: Math.log(0.25) },
        { text: 'z c', endedWithEos: false, logMass: Math.log(0.5) },
      ],
      answerOf,
    );
    expect(m.map((x) => [x.answer, Number(x.probability.toFixed(12)), x.states])).toEqual([
      [null, 0.5, 1],
      ['c', 0.45, 2],
      ['d', 0.3, 1],
    ]);
    expect(maxMarginalAnswer(m)).toBe('c');
    expect(maxMarginalAnswer(m.filter((x) => x.answer === null))).toBeNull();
  });

  // keys that keep the answer: every path merged into a finished state gives the same answer (on the bigram model a
  // state's last two tokens fix both its future and its last word)
  it.each([
    { fixture: 'lab-tiny', merge: { kind: 'none' } },
    { fixture: 'lab-tiny', merge: { kind: 'text' } },
    { fixture: 'lab-bigram-tiny', merge: { kind: 'last-n', n: 2 } },
  ] satisfies { fixture: string; merge: MergeKey }[])(
    'BFS without pruning ($fixture, merge $merge.kind): each answer gets the exact probability of the sequences that give it',
    async ({ fixture, merge }) => {
      const model = await fixtureModel(fixture);
      const depth = 3;
      const exact = await enumerateSequences(model, encodePrompt(model, PROMPT), depth);
      const truth = new Map<string | null, number>();
      for (const s of exact) {
        const a = answerOf(model.tokenizer.decode(s.tokens, true), s.eos);
        truth.set(a, (truth.get(a) ?? 0) + Math.exp(s.logprob));
      }
      const out = await exhaustiveBfs(model, PROMPT, depth, merge, { ...TOY_TASK, answerOf });
      const marginals = BfsAnalysisSchema.parse(out.result.analysis).answerMarginals!;
      expect(new Set(marginals.map((m) => m.answer))).toEqual(new Set(truth.keys()));
      for (const m of marginals) expect(Math.abs(m.probability - truth.get(m.answer)!)).toBeLessThan(1e-5);
      expect(marginals.reduce((s, m) => s + m.probability, 0)).toBeCloseTo(1, 5);
      const states = marginals.reduce((s, m) => s + m.states, 0);
      // last-n merges finished paths at the final depth too; distinct sequences never share a text on these vocabularies
      if (merge.kind === 'last-n') expect(states).toBeLessThan(exact.length / 2);
      else expect(states).toBe(exact.length);
    },
  );

  it('a run without an answer extractor lists no marginals', async () => {
    const model = await fixtureModel('lab-tiny');
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'bfs', width: 4, maxNewTokens: 2 }),
    });
    expect(BfsAnalysisSchema.parse(out.result.analysis).answerMarginals).toBeUndefined();
  });
});
