import { describe, expect, it } from 'vitest';
import { runSearch, encodePrompt } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { TreeState, TreeNode } from '../../../../src/shared/tree';
import { childTokens } from '../../../../src/main/engine/strategies/bfs-level';
import { logSoftmaxNorm } from '../../../../src/main/engine/math/log-softmax';
import { fixtureModel } from '../../../helpers/fixtures';
import { exhaustiveBfs } from '../../../helpers/exhaustive-bfs';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { exactPrefixes, massAndMax } from '../../../oracles/exact-prefixes';

const PROMPT = 'a b';

function pathTokens(tree: TreeState, id: number): number[] {
  const out: number[] = [];
  for (let n = tree.nodes[id]!; n.parents.length > 0; n = tree.nodes[n.parents[0]!]!) out.unshift(n.tokenId!);
  return out;
}

function nodes(tree: TreeState): TreeNode[] {
  return tree.order.map((id) => tree.nodes[id]!);
}

const sameTail = (a: number[], b: number[], n: number) =>
  a.length === b.length && a.slice(-n).join() === b.slice(-n).join();

describe('childTokens', () => {
  const lp = { logits: [0.5, 0.3, 0.15, 0.05].map(Math.log), max: 0, logSum: 0 };
  it('takes the top k within cumulative probability p', () => {
    expect(childTokens(lp, 3, 0.7)).toEqual([0, 1]);
    expect(childTokens(lp, 3, 0.5)).toEqual([0]);
    expect(childTokens(lp, 3, 0.81)).toEqual([0, 1, 2]);
    expect(childTokens(lp, 2, 1)).toEqual([0, 1]);
    expect(childTokens(lp, 10, 1)).toEqual([0, 1, 2, 3]);
    expect(childTokens({ logits: [-Infinity, 0], max: 0, logSum: 0 }, 5, 1)).toEqual([1]);
    // unnormalised logits: the probabilities come from the distribution's normaliser
    const logits = Float32Array.from([0.15, 0.05, 0.5, 0.3].map((p) => Math.log(3 * p)));
    const d = { logits, ...logSoftmaxNorm(logits) };
    expect(childTokens(d, 3, 0.6)).toEqual([2, 3]);
    expect(childTokens(d, 3, 0.9)).toEqual([2, 3, 0]);
  });
});

describe('BFS + DP merge (property 4)', () => {
  it('with merge none and no pruning finds every complete sequence with its exact probability', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const exact = await enumerateSequences(model, promptIds, 3);
    const out = await exhaustiveBfs(model, PROMPT, 3, { kind: 'none' });
    const finished = nodes(out.tree).filter((n) => n.status === 'finished');
    expect(finished).toHaveLength(exact.length);
    const byKey = new Map(exact.map((s) => [s.tokens.join(','), s.logprob]));
    for (const n of finished) {
      const truth = byKey.get(pathTokens(out.tree, n.id).join(','));
      expect(truth).toBeDefined();
      expect(Math.abs(n.score - truth!)).toBeLessThan(1e-4);
      expect(Math.abs(n.forwardLogMass! - truth!)).toBeLessThan(1e-4);
    }
    const best = exact.reduce((a, b) => (b.logprob > a.logprob ? b : a));
    expect(out.result.nBest[0]!.tokenIds).toEqual(best.tokens);
    expect(out.stats.nodesMerged).toBe(0);
    expect(out.stats.coveredMass).toBeGreaterThan(0.9999);
    // one batched evaluation per depth (the prompt, then depths 1 and 2)
    expect(out.stats.forwardPasses).toBe(3);
  });

  it.each([1, 2])(
    'merging by last-%i tokens on an n-gram model: exact forward mass and Viterbi score per state',
    async (n) => {
      const model = await fixtureModel('lab-bigram-tiny');
      const promptIds = encodePrompt(model, PROMPT);
      const depth = 4;
      const prefixes = await exactPrefixes(model, promptIds, depth);
      const out = await exhaustiveBfs(model, PROMPT, depth, { kind: 'last-n', n });
      const all = nodes(out.tree);
      const merged = all.filter((x) => x.status === 'merged');
      expect(merged.length).toBeGreaterThan(0);
      expect(out.stats.nodesMerged).toBe(merged.length);
      let multiParent = 0;
      for (const state of all.filter((x) => x.status === 'expanded' && x.kind === 'token')) {
        const tokens = pathTokens(out.tree, state.id);
        // the key includes prompt tokens when the path is shorter than n
        const full = [...promptIds, ...tokens];
        const truth = massAndMax(
          prefixes,
          (p) => p.tokens.length === tokens.length && sameTail([...promptIds, ...p.tokens], full, n),
        );
        expect(Math.abs(state.forwardLogMass! - truth.logMass)).toBeLessThan(1e-4);
        expect(Math.abs(state.score - truth.max)).toBeLessThan(1e-4);
        if (truth.count > 1) {
          multiParent++;
          expect(state.parents.length).toBeGreaterThan(1);
        }
      }
      expect(multiParent).toBeGreaterThan(0);
      // every absorbed hypothesis points to a live state with the same key at the same depth
      for (const m of merged) {
        const into = out.tree.nodes[m.mergedInto!]!;
        expect(into.depth).toBe(m.depth);
        expect(into.score).toBeGreaterThanOrEqual(m.score);
        expect(
          sameTail([...promptIds, ...pathTokens(out.tree, m.id)], [...promptIds, ...pathTokens(out.tree, into.id)], n),
        ).toBe(true);
        expect(into.parents).toContain(m.parents[0]);
      }
      // finished hypotheses merge by the same key and carry the mass of every path they stand for: together they
      // cover everything, once
      const finished = all.filter((x) => x.status === 'finished');
      expect(merged.some((m) => out.tree.nodes[m.mergedInto!]!.status === 'finished')).toBe(true);
      for (const f of finished) {
        const tokens = pathTokens(out.tree, f.id);
        const full = [...promptIds, ...tokens];
        const truth = massAndMax(
          prefixes,
          (p) => p.tokens.length === tokens.length && sameTail([...promptIds, ...p.tokens], full, n),
        );
        expect(Math.abs(f.forwardLogMass! - truth.logMass)).toBeLessThan(1e-4);
      }
      expect(Math.abs(out.stats.coveredMass - 1)).toBeLessThan(1e-4);

      const plain = await exhaustiveBfs(model, PROMPT, depth, { kind: 'none' });
      const exact = await enumerateSequences(model, promptIds, depth);
      const best = exact.reduce((a, b) => (b.logprob > a.logprob ? b : a));
      expect(out.result.nBest[0]!.tokenIds).toEqual(plain.result.nBest[0]!.tokenIds);
      expect(out.result.nBest[0]!.tokenIds).toEqual(best.tokens);
      expect(Math.abs(out.result.nBest[0]!.score - best.logprob)).toBeLessThan(1e-4);
      // merging saves evaluations
      expect(out.stats.tokensEvaluated).toBeLessThan(plain.stats.tokensEvaluated);
      // with last-token states a frontier as wide as the vocabulary loses nothing: still the exhaustive optimum
      const narrow = await runSearch({
        model,
        prompt: PROMPT,
        config: resolveStrategyConfig({
          strategy: 'bfs',
          topK: 8,
          topP: 1,
          width: 8 ** n,
          maxNewTokens: depth,
          merge: { kind: 'last-n', n },
        }),
      });
      expect(narrow.result.nBest[0]!.tokenIds).toEqual(best.tokens);
      const narrowPlain = await runSearch({
        model,
        prompt: PROMPT,
        config: resolveStrategyConfig({
          strategy: 'bfs',
          topK: 8,
          topP: 1,
          width: 3,
          maxNewTokens: depth,
          merge: { kind: 'none' },
        }),
      });
      const narrowMerged = await runSearch({
        model,
        prompt: PROMPT,
        config: resolveStrategyConfig({
          strategy: 'bfs',
          topK: 8,
          topP: 1,
          width: 3,
          maxNewTokens: depth,
          merge: { kind: 'last-n', n },
        }),
      });
      expect(narrowMerged.result.nBest[0]!.score).toBeGreaterThanOrEqual(narrowPlain.result.nBest[0]!.score - 1e-9);
    },
  );

  it('merging by decoded text groups exactly the hypotheses with the same bytes (byte-level BPE, split characters)', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    // the fixture's byte-level vocabulary, by hand: <eos>, a, b, 0xC3, 0xA9 (é split in two), ' ', ' a', 'ab'
    const bytes = ['', '61', '62', 'c3', 'a9', '20', '2061', '6162'];
    const promptIds = encodePrompt(model, PROMPT);
    const depth = 3;
    const prefixes = await exactPrefixes(model, promptIds, depth);
    const out = await exhaustiveBfs(model, PROMPT, depth, { kind: 'text' });
    const all = nodes(out.tree);
    const byteKey = (tokens: number[]) => tokens.map((t) => bytes[t]).join('');
    // ' ab' = ' ' + 'ab' = ' a' + 'b': merged at depth 2
    expect(all.some((x) => x.status === 'merged' && x.depth === 2)).toBe(true);
    // depth 1 keeps 0xC3 and 0xA9 as two states although both decode to U+FFFD on their own
    expect(all.filter((x) => x.depth === 1 && x.status === 'merged')).toHaveLength(0);
    const states = all.filter((x) => x.status === 'expanded' && x.kind === 'token' && x.depth <= 2);
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) {
      const tokens = pathTokens(out.tree, state.id);
      const truth = massAndMax(
        prefixes,
        (p) => p.tokens.length === tokens.length && !p.tokens.includes(0) && byteKey(p.tokens) === byteKey(tokens),
      );
      // the first merged depth is exact on any model: every path into the state is scored in its own context
      expect(Math.abs(state.score - truth.max)).toBeLessThan(1e-4);
      expect(Math.abs(state.forwardLogMass! - truth.logMass)).toBeLessThan(1e-4);
      expect(new Set(state.parents).size).toBe(state.parents.length);
    }
    expect(Math.abs(out.stats.coveredMass - 1)).toBeLessThan(1e-4);
  });

  it('on a model that is not an n-gram, the first merged depth still has exact masses (lab-tiny, last token)', async () => {
    const model = await fixtureModel('lab-tiny');
    const promptIds = encodePrompt(model, PROMPT);
    const prefixes = await exactPrefixes(model, promptIds, 2);
    const out = await exhaustiveBfs(model, PROMPT, 3, { kind: 'last-n', n: 1 });
    // depth 2 states: one per last token other than EOS (EOS children finish), each reached from the 7 live depth-1 nodes
    const depth2 = nodes(out.tree).filter((x) => x.depth === 2 && x.status === 'expanded');
    expect(depth2.length).toBe(7);
    for (const state of depth2) {
      const truth = massAndMax(
        prefixes,
        (p) => p.tokens.length === 2 && p.tokens[0] !== 0 && p.tokens[1] === state.tokenId,
      );
      expect(truth.count).toBe(7);
      expect(state.parents).toHaveLength(7);
      expect(Math.abs(state.forwardLogMass! - truth.logMass)).toBeLessThan(1e-4);
      expect(Math.abs(state.score - truth.max)).toBeLessThan(1e-4);
    }
  });

  it('the latent key (cosine of final hidden states) merges exactly the last-token states of a bigram model', async () => {
    const model = await fixtureModel('lab-bigram-tiny');
    const latent = await exhaustiveBfs(model, PROMPT, 3, { kind: 'latent', tau: 0.9999 });
    const lastN = await exhaustiveBfs(model, PROMPT, 3, { kind: 'last-n', n: 1 });
    const states = (t: TreeState) =>
      nodes(t)
        .filter((x) => x.status === 'expanded' && x.kind === 'token')
        .map((x) => `${x.depth}:${x.tokenId}:${x.forwardLogMass!.toFixed(4)}`)
        .sort();
    expect(states(latent.tree)).toEqual(states(lastN.tree));
    // finished hypotheses (never evaluated, so without a hidden state) merge only under discrete keys
    const mergedLive = (t: TreeState) =>
      nodes(t).filter((x) => x.status === 'merged' && t.nodes[x.mergedInto!]!.status !== 'finished').length;
    expect(latent.stats.nodesMerged).toBe(mergedLive(lastN.tree));
    expect(mergedLive(latent.tree)).toBe(latent.stats.nodesMerged);
  });

  it('the latent key is refused on an HF export, naming what is missing', async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    await expect(
      runSearch({
        model,
        prompt: PROMPT,
        config: resolveStrategyConfig({ strategy: 'bfs', merge: { kind: 'latent', tau: 0.9 } }),
      }),
    ).rejects.toThrow(/lacks a last_hidden_state output/);
    // the token keys need nothing special
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({ strategy: 'bfs', maxNewTokens: 2, merge: { kind: 'last-n', n: 1 } }),
    });
    expect(out.result.nBest.length).toBeGreaterThan(0);
  });

  it('caps the frontier at the width by score, pruning the rest', async () => {
    const model = await fixtureModel('lab-tiny');
    const out = await runSearch({
      model,
      prompt: PROMPT,
      config: resolveStrategyConfig({
        strategy: 'bfs',
        topK: 3,
        topP: 1,
        width: 2,
        maxNewTokens: 4,
        merge: { kind: 'none' },
      }),
    });
    const all = nodes(out.tree);
    for (let d = 1; d < 4; d++) {
      const level = all.filter((x) => x.depth === d && x.status !== 'finished');
      const kept = level.filter((x) => x.status === 'expanded');
      const pruned = level.filter((x) => x.status === 'pruned');
      expect(kept.length).toBeLessThanOrEqual(2);
      if (pruned.length > 0)
        expect(Math.min(...kept.map((x) => x.score))).toBeGreaterThanOrEqual(Math.max(...pruned.map((x) => x.score)));
      for (const k of kept) expect(all.filter((c) => c.parents[0] === k.id).length).toBeLessThanOrEqual(3);
    }
    expect(out.stats.nodesPruned).toBe(all.filter((x) => x.status === 'pruned').length);
    expect(out.stats.nodesPruned).toBeGreaterThan(0);
    const ranked = out.result.nBest.map((h) => h.score);
    expect([...ranked].sort((a, b) => b - a)).toEqual(ranked);
  });
});
