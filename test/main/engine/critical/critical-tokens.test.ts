import { describe, expect, it } from 'vitest';
import { encodePrompt } from '../../../../src/main/engine/search/run-search';
import type { TreeNode, TreeState } from '../../../../src/shared/tree';
import type { CriticalToken } from '../../../../src/shared/run';
import { findCriticalTokens } from '../../../../src/main/engine/critical/critical-tokens';
import { fixtureModel } from '../../../helpers/fixtures';
import { exhaustiveBfs } from '../../../helpers/exhaustive-bfs';
import { enumerateSequences } from '../../../oracles/exact-sequences';
import { SeededRandom } from '../../../../src/main/engine/sampling/seeded-random';

function pathTokens(tree: TreeState, id: number): number[] {
  const out: number[] = [];
  for (let n = tree.nodes[id]!; n.parents.length > 0; n = tree.nodes[n.parents[0]!]!) out.unshift(n.tokenId!);
  return out;
}

/** A node of a hand-built tree: node 0 is the prompt, every other node is token `id`. */
const node = (id: number, parents: number[], status: TreeNode['status'], extra: Partial<TreeNode> = {}): TreeNode => ({
  id,
  parents,
  kind: id === 0 ? 'prompt' : 'token',
  tokenId: id === 0 ? null : id,
  text: String(id),
  logprob: 0,
  score: 0,
  depth: 0,
  status,
  ...extra,
});

describe('critical tokens', () => {
  it('equal the prefixes found by exhaustive enumeration whose continuations lead to different answers', async () => {
    const model = await fixtureModel('lab-tiny');
    const eos = new Set(model.info.eosTokenIds);
    const depth = 3;
    // a coarse answer so that some branchings decide it and others do not
    const answerOfTokens = (tokens: number[]) => (tokens.some((t) => t === 3 && !eos.has(t)) ? 'has 3' : 'no 3');
    const exact = await enumerateSequences(model, encodePrompt(model, 'a b'), depth);
    const answersUnder = new Map<string, Set<string>>();
    for (const s of exact) {
      for (let k = 0; k <= s.tokens.length; k++) {
        const key = s.tokens.slice(0, k).join(',');
        if (!answersUnder.has(key)) answersUnder.set(key, new Set());
        answersUnder.get(key)!.add(answerOfTokens(s.tokens));
      }
    }
    const expected = new Set<string>();
    for (const key of answersUnder.keys()) {
      const prefix = key === '' ? [] : key.split(',').map(Number);
      const childSets = new Set<string>();
      for (let t = 0; t < model.info.vocabSize; t++) {
        const set = answersUnder.get([...prefix, t].join(','));
        if (set) childSets.add(JSON.stringify([...set].sort()));
      }
      if (childSets.size > 1) expected.add(key);
    }
    expect(expected.size).toBeGreaterThan(2);
    expect(expected.size).toBeLessThan(answersUnder.size - exact.length);

    const out = await exhaustiveBfs(model, 'a b', depth, { kind: 'none' });
    const critical = findCriticalTokens(out.tree, (id) => answerOfTokens(pathTokens(out.tree, id)));
    expect(new Set(critical.map((c) => pathTokens(out.tree, c.nodeId).join(',')))).toEqual(expected);
    for (const c of critical) {
      const prefix = pathTokens(out.tree, c.nodeId);
      for (const b of c.branches) {
        expect(b.answers).toEqual(
          [...answersUnder.get([...prefix, out.tree.nodes[b.childId]!.tokenId!].join(','))!].sort(),
        );
      }
    }
    // without a custom answer the run reports them on final texts: every branching between finished texts counts
    expect(out.result.critical!.length).toBeGreaterThanOrEqual(critical.length);
  });

  it('follows a merged hypothesis into its survivor', () => {
    // 0 → 1, 2; 1 → 3 (finished "A"); 2 → 4 merged into 5; 1 → 5 → 6 (finished "B")
    const nodes = [
      node(0, [], 'expanded'),
      node(1, [0], 'expanded'),
      node(2, [0], 'expanded'),
      node(3, [1], 'finished'),
      node(4, [2], 'merged', { mergedInto: 5 }),
      node(5, [1, 2], 'expanded'),
      node(6, [5], 'finished'),
    ];
    const tree: TreeState = {
      rootId: 0,
      nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
      order: nodes.map((n) => n.id),
    };
    const critical = findCriticalTokens(tree, (id) => (id === 3 ? 'A' : 'B'));
    // node 1 leads to A (via 3) and B (via 5); node 2 only to B; so the root's children differ, and node 1's do
    expect(critical.map((c) => c.nodeId)).toEqual([0, 1]);
    expect(critical[0]!.branches).toEqual([
      { childId: 1, answers: ['A', 'B'] },
      { childId: 2, answers: ['B'] },
    ]);
  });

  it('equal the definition computed top-down on random lattices with merged hypotheses', () => {
    // the definition, as written: a node's answers are its own (finished) and its children's, a merged node's
    // those of its survivor
    const reference = (tree: TreeState, answerOf: (id: number) => string): CriticalToken[] => {
      const children = new Map<number, number[]>();
      for (const id of tree.order)
        for (const p of tree.nodes[id]!.parents) children.set(p, [...(children.get(p) ?? []), id]);
      const memo = new Map<number, Set<string>>();
      const answersOf = (id: number): Set<string> => {
        const known = memo.get(id);
        if (known) return known;
        const node = tree.nodes[id]!;
        const next =
          node.status === 'merged' && node.mergedInto !== undefined ? [node.mergedInto] : (children.get(id) ?? []);
        const set = new Set<string>(node.status === 'finished' ? [answerOf(id)] : []);
        for (const c of next) for (const a of answersOf(c)) set.add(a);
        memo.set(id, set);
        return set;
      };
      const out: CriticalToken[] = [];
      for (const id of tree.order) {
        if (tree.nodes[id]!.status === 'merged') continue;
        const branches = (children.get(id) ?? [])
          .map((childId) => ({ childId, answers: [...answersOf(childId)].sort() }))
          .filter((b) => b.answers.length > 0);
        if (new Set(branches.map((b) => JSON.stringify(b.answers))).size > 1) out.push({ nodeId: id, branches });
      }
      return out;
    };
    const random = new SeededRandom(5);
    const pick = (n: number) => Math.floor(random.next() * n);
    let compared = 0;
    for (let trial = 0; trial < 200; trial++) {
      const nodes: TreeNode[] = [node(0, [], 'expanded')];
      let level = [0];
      for (let depth = 1; depth <= 4 && level.length > 0; depth++) {
        const next: number[] = [];
        for (const parent of level) {
          for (let k = pick(3); k >= 0; k--) {
            const id = nodes.length;
            // now and then a second parent from the same level (a lattice state)
            const parents = level.length > 1 && random.next() < 0.2 ? [parent, level[pick(level.length)]!] : [parent];
            const roll = random.next();
            const status = roll < 0.3 ? 'finished' : roll < 0.4 ? 'pruned' : 'expanded';
            nodes.push(node(id, [...new Set(parents)], status, { depth }));
            if (status === 'expanded') next.push(id);
          }
        }
        // some expanded nodes of the level become merged into another of the same level
        for (const id of next) {
          if (next.length > 1 && random.next() < 0.15) {
            const survivor = next.find((other) => other !== id && nodes[other]!.status !== 'merged')!;
            if (survivor !== undefined && nodes[survivor]!.mergedInto === undefined)
              nodes[id] = { ...nodes[id]!, status: 'merged', mergedInto: survivor };
          }
        }
        level = next.filter((id) => nodes[id]!.status !== 'merged');
      }
      const tree: TreeState = {
        rootId: 0,
        nodes: Object.fromEntries(nodes.map((n) => [n.id, n])),
        order: nodes.map((n) => n.id),
      };
      const answerOf = (id: number) => ['A', 'B', 'C'][id % 3]!;
      const expected = reference(tree, answerOf);
      expect(findCriticalTokens(tree, answerOf)).toEqual(expected);
      if (expected.length > 0) compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});
