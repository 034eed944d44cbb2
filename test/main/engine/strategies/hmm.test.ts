import { describe, expect, it } from 'vitest';
import { runSearch, encodePrompt, StrategyUnavailableError } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { LoadedModel } from '../../../../src/main/engine/model/load-model';
import { HmmAnalysisSchema, type HmmAnalysis } from '../../../../src/shared/analysis';
import { logSumExp } from '../../../../src/main/engine/math/log-softmax';
import { buildTrellis } from '../../../../src/main/engine/strategies/hmm-trellis';
import { TOY_TASK } from '../../../helpers/toy-task';
import { fixtureModel } from '../../../helpers/fixtures';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { exactPrefixes } from '../../../oracles/exact-prefixes';

const PROMPT = 'a b';
const DEPTH = 3;

function noEos(model: LoadedModel): LoadedModel {
  return { ...model, info: { ...model.info, eosTokenIds: [] } };
}

async function runHmm(model: LoadedModel, states: number, extra: object = {}) {
  const out = await runSearch({
    model,
    prompt: PROMPT,
    config: resolveStrategyConfig({
      strategy: 'hmm',
      topK: 8,
      topP: 1,
      width: 100000,
      maxNewTokens: DEPTH,
      states,
      ...extra,
    }),
  });
  return { out, analysis: HmmAnalysisSchema.parse(out.result.analysis) };
}

const num = (x: number | null) => (x === null ? -Infinity : x);

function expectGammaSumsToOne(analysis: HmmAnalysis) {
  for (const depth of analysis.trellis) {
    expect(Math.abs(depth.states.reduce((s, c) => s + c.gamma, 0) - 1)).toBeLessThan(1e-9);
  }
}

describe('HMM forward (property 5)', () => {
  it('K = 1 with nothing cut: α_t = log 1 = 0 at every depth, β = 0, γ = 1', async () => {
    const model = noEos(await fixtureModel('lab-tiny'));
    const { analysis, out } = await runHmm(model, 1);
    expect(analysis.trellis).toHaveLength(DEPTH + 1);
    for (const depth of analysis.trellis) {
      expect(depth.states).toHaveLength(1);
      expect(Math.abs(num(depth.states[0]!.alpha))).toBeLessThan(1e-4);
      expect(Math.abs(num(depth.states[0]!.beta))).toBeLessThan(1e-4);
      expect(Math.abs(num(depth.logZ))).toBeLessThan(1e-4);
      expect(depth.states[0]!.gamma).toBeCloseTo(1, 9);
      expect(depth.states[0]!.members).toHaveLength(8 ** depth.depth);
    }
    expect(out.stats.coveredMass).toBeGreaterThan(0.9999);
  });

  it.each([1, 3])(
    'K = %i: α_t is the exact mass of the length-t prefixes and Z_t of the sequences reaching t',
    async (k) => {
      const model = await fixtureModel('lab-tiny');
      const promptIds = encodePrompt(model, PROMPT);
      const prefixes = await exactPrefixes(model, promptIds, DEPTH);
      const sequences = await enumerateSequences(model, promptIds, DEPTH);
      const { analysis } = await runHmm(model, k);
      for (const depth of analysis.trellis) {
        const t = depth.depth;
        const alphaTotal = logSumExp(depth.states.map((s) => num(s.alpha)));
        const truth = t === 0 ? 0 : logSumExp(prefixes.filter((p) => p.tokens.length === t).map((p) => p.logprob));
        expect(Math.abs(alphaTotal - truth)).toBeLessThan(1e-4);
        if (k === 1) expect(Math.abs(num(depth.states[0]!.alpha) - truth)).toBeLessThan(1e-4);
        const reaching = logSumExp(sequences.filter((s) => s.tokens.length >= t).map((s) => s.logprob));
        expect(Math.abs(num(depth.logZ) - reaching)).toBeLessThan(1e-4);
        expect(depth.states.length).toBeLessThanOrEqual(k);
      }
      expect(analysis.trellis[1]!.logZ).toBeCloseTo(0, 4);
      expectGammaSumsToOne(analysis);
      // transitions out of a state carry at most its mass (exactly all of it, minus what finishes, when nothing is cut)
      for (let t = 1; t < analysis.trellis.length; t++) {
        for (const from of analysis.trellis[t - 1]!.states) {
          const out = analysis.transitions.filter((a) => a.depth === t && a.from === from.state).map((a) => a.logProb);
          const stay = logSumExp(out);
          const ends = num(from.endMass) - num(from.alpha);
          expect(Math.abs(logSumExp([stay, ends]))).toBeLessThan(1e-4);
        }
      }
    },
  );

  it('with pruning, Z_t = e_t + Z_{t+1} still holds (forward and backward agree) and γ sums to 1', async () => {
    const model = await fixtureModel('lab-tiny');
    const { analysis, out } = await runHmm(model, 2, { topK: 3, width: 3, maxNewTokens: 5 });
    expect(out.stats.nodesPruned).toBeGreaterThan(0);
    const T = analysis.trellis.length;
    for (let t = 0; t < T; t++) {
      const depth = analysis.trellis[t]!;
      const ends = logSumExp(depth.states.map((s) => num(s.endMass)));
      const next = t + 1 < T ? num(analysis.trellis[t + 1]!.logZ) : -Infinity;
      expect(Math.abs(num(depth.logZ) - logSumExp([ends, next]))).toBeLessThan(1e-9);
    }
    // Z_0 is the explored mass of complete sequences, the same coveredMass the run reports
    expect(Math.abs(Math.exp(num(analysis.trellis[0]!.logZ)) - out.stats.coveredMass)).toBeLessThan(1e-9);
    expectGammaSumsToOne(analysis);
  });

  it('Viterbi over states returns the max path when every hypothesis is its own state', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    // depth 2: at most 57 hypotheses per depth, below the cap, so k-means gives each its own state
    const sequences = await enumerateSequences(model, promptIds, 2);
    const best = sequences.reduce((a, b) => (b.logprob > a.logprob ? b : a));
    const { analysis, out } = await runHmm(model, 256, { maxNewTokens: 2 });
    for (const depth of analysis.trellis) for (const s of depth.states) expect(s.members).toHaveLength(1);
    expect(Math.abs(num(analysis.viterbi.logProb) - best.logprob)).toBeLessThan(1e-4);
    expect(analysis.viterbi.path).toHaveLength(best.tokens.length + 1);
    const endNode =
      analysis.trellis[best.tokens.length]!.states[analysis.viterbi.path[best.tokens.length]!]!.members[0]!;
    expect(out.tree.nodes[endNode]!.status).toBe('finished');
    const tokens: number[] = [];
    for (let n = out.tree.nodes[endNode]!; n.parents.length > 0; n = out.tree.nodes[n.parents[0]!]!)
      tokens.unshift(n.tokenId!);
    expect(tokens).toEqual(best.tokens);
    expectGammaSumsToOne(analysis);
  });

  it('Viterbi equals a brute-force search over every state path of the trellis (K = 2)', async () => {
    const model = await fixtureModel('lab-tiny');
    const { analysis } = await runHmm(model, 2);
    const logA = new Map(analysis.transitions.map((a) => [`${a.depth}:${a.from}>${a.to}`, a.logProb]));
    let best = { value: -Infinity, path: [] as number[] };
    const walk = (path: number[], value: number) => {
      const t = path.length - 1;
      const cell = analysis.trellis[t]!.states[path[t]!]!;
      if (cell.endMass !== null) {
        const total = value + cell.endMass - num(cell.alpha);
        if (total > best.value) best = { value: total, path: [...path] };
      }
      if (t + 1 >= analysis.trellis.length) return;
      for (const next of analysis.trellis[t + 1]!.states) {
        const a = logA.get(`${t + 1}:${path[t]}>${next.state}`);
        if (a !== undefined) walk([...path, next.state], value + a);
      }
    };
    walk([0], num(analysis.trellis[0]!.states[0]!.alpha));
    expect(Math.abs(num(analysis.viterbi.logProb) - best.value)).toBeLessThan(1e-9);
    expect(analysis.viterbi.path).toEqual(best.path);
  });

  it('the backward pass of a hand-made trellis matches a hand computation', () => {
    // depth 0: root; depth 1: n1 (p .6, state 0), n2 (p .4, state 1, finishes); depth 2: n3 (.6·.5, state 0), n4 (.6·.5, state 0), both finish
    const L = Math.log;
    const r = buildTrellis([
      [{ nodeId: 0, parentId: null, logMass: 0, score: 0, state: 0, finished: false }],
      [
        { nodeId: 1, parentId: 0, logMass: L(0.6), score: L(0.6), state: 0, finished: false },
        { nodeId: 2, parentId: 0, logMass: L(0.4), score: L(0.4), state: 1, finished: true },
      ],
      [
        { nodeId: 3, parentId: 1, logMass: L(0.3), score: L(0.3), state: 0, finished: true },
        { nodeId: 4, parentId: 1, logMass: L(0.3), score: L(0.3), state: 0, finished: true },
      ],
    ]);
    expect(r.transitions.map((a) => [a.depth, a.from, a.to, Math.exp(a.logProb)])).toEqual([
      [1, 0, 0, expect.closeTo(0.6, 12)],
      [1, 0, 1, expect.closeTo(0.4, 12)],
      [2, 0, 0, expect.closeTo(1, 12)],
    ]);
    expect(r.trellis.map((d) => Math.exp(d.logZ!))).toEqual([
      expect.closeTo(1, 12),
      expect.closeTo(1, 12),
      expect.closeTo(0.6, 12),
    ]);
    expect(r.trellis[1]!.states.map((s) => s.gamma)).toEqual([expect.closeTo(0.6, 12), expect.closeTo(0.4, 12)]);
    // best complete state path: 0 → 0 → 0 with probability .6 (the two depth-2 members together) beats 0 → 1 (.4)
    expect(r.viterbi.path).toEqual([0, 0, 0]);
    expect(Math.exp(r.viterbi.logProb!)).toBeCloseTo(0.6, 12);
    expect(r.answer).toMatchObject({ depth: 2, state: 0, nodeId: 3 });
    expect(r.answer!.share).toBeCloseTo(0.6, 12);
  });

  it('clustering is deterministic for a seed; every trellis member records its state', async () => {
    const model = await fixtureModel('lab-tiny');
    const a = await runHmm(model, 3, { seed: 11 });
    const b = await runHmm(model, 3, { seed: 11 });
    const states = (tree: typeof a.out.tree) => tree.order.map((id) => tree.nodes[id]!.state ?? -1);
    expect(states(a.out.tree)).toEqual(states(b.out.tree));
    expect(a.analysis.trellis).toEqual(b.analysis.trellis);
    for (const depth of a.analysis.trellis) {
      for (const cell of depth.states)
        for (const id of cell.members) expect(a.out.tree.nodes[id]!.state).toBe(cell.state);
    }
    // the reported answer is the best hypothesis of the state with the most finishing mass
    const ends = a.analysis.trellis.flatMap((d) =>
      d.states.filter((s) => s.endMass !== null).map((s) => ({ d: d.depth, s })),
    );
    const top = ends.reduce((x, y) => (y.s.endMass! > x.s.endMass! ? y : x));
    expect(a.analysis.answer).toMatchObject({ depth: top.d, state: top.s.state });
    expect(a.out.result.nBest[0]!.nodeId).toBe(a.analysis.answer!.nodeId);
  });

  it('scores states against the true current concept when the prompt is a task example', async () => {
    const model = await fixtureModel('lab-tiny');
    const task = TOY_TASK;
    const out = await runSearch({
      model,
      prompt: PROMPT,
      task,
      config: resolveStrategyConfig({ strategy: 'hmm', topK: 3, topP: 1, width: 8, maxNewTokens: 3, states: 2 }),
    });
    const analysis = HmmAnalysisSchema.parse(out.result.analysis);
    expect(analysis.groundTruth).toHaveLength(analysis.trellis.length);
    for (const g of analysis.groundTruth!) {
      expect(g.n).toBe(analysis.trellis[g.depth]!.states.reduce((s, c) => s + c.members.length, 0));
      expect(g.purity).toBeGreaterThan(0);
      expect(g.purity).toBeLessThanOrEqual(1);
    }
    // depth 0: one hypothesis (the prompt), concept = the start
    expect(analysis.groundTruth![0]).toMatchObject({ depth: 0, n: 1, purity: 1, nmi: 1, concepts: 1 });
    // the pooled scores leave out depths with a single true concept
    const pooled = analysis.groundTruth!.filter((g) => g.concepts! >= 2);
    if (pooled.length === 0) expect(analysis.groundTruthSummary).toBeNull();
    else expect(analysis.groundTruthSummary!.count.weight).toBe(pooled.reduce((s, g) => s + g.n, 0));
  });

  it('is refused on an HF export with a message naming what is missing', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    const run = () => runSearch({ model, prompt: PROMPT, config: resolveStrategyConfig({ strategy: 'hmm' }) });
    await expect(run()).rejects.toThrow(StrategyUnavailableError);
    await expect(run()).rejects.toThrow(/last_hidden_state/);
  });
});
