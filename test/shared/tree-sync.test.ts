import { describe, expect, it } from 'vitest';
import { LiveTree, applyPatchesInPlace, pathTo } from '../../src/shared/tree-sync';
import { growTree, rootTree } from '../renderer/tree-fixtures';

describe('applyPatchesInPlace', () => {
  it('rebuilds exactly the tree immer produced, step by step', () => {
    for (const seed of [1, 2, 3]) {
      const { start, batches, final } = growTree(60, seed);
      let tree = structuredClone(start);
      for (const batch of batches) tree = applyPatchesInPlace(tree, structuredClone(batch)).value;
      expect(tree).toEqual(final);
    }
  });

  it('reports added and updated nodes separately, a node added and then changed counting once as added', () => {
    const { start, batches, final } = growTree(5, 7);
    const tree = structuredClone(start);
    const { effect } = applyPatchesInPlace(tree, structuredClone(batches.flat()));
    expect(effect.reset).toBe(false);
    expect([...effect.added].sort((a, b) => a - b)).toEqual(final.order.slice(1));
    expect(effect.updated.has(0)).toBe(true);
    for (const id of effect.updated) expect(effect.added.has(id)).toBe(false);
  });

  it('replaces the whole tree on a root patch and forgets earlier changes', () => {
    const replacement = rootTree();
    replacement.nodes[0]!.text = 'other';
    const { value, effect } = applyPatchesInPlace({ rootId: 0, nodes: {}, order: [] }, [
      { op: 'add', path: ['nodes', 3], value: {} },
      { op: 'replace', path: [], value: replacement },
    ]);
    expect(value).toBe(replacement);
    expect(effect.reset).toBe(true);
    expect(effect.added.size).toBe(0);
  });

  it('handles array removals and length changes as immer emits them', () => {
    const target = { order: [0, 1, 2, 3] };
    applyPatchesInPlace(target, [
      { op: 'remove', path: ['order', 1] },
      { op: 'replace', path: ['order', 'length'], value: 2 },
    ]);
    expect(target.order).toEqual([0, 2]);
  });

  it('names a patch whose path does not exist', () => {
    expect(() =>
      applyPatchesInPlace({ nodes: {} }, [{ op: 'replace', path: ['nodes', 9, 'status'], value: 'pruned' }]),
    ).toThrow(/nodes\/9\/status/);
  });
});

describe('LiveTree', () => {
  it('applies messages in order, ignores stale ones and reports a gap', () => {
    const { start, batches, final } = growTree(10, 3);
    const live = new LiveTree();
    expect(live.applyMessage(0, [{ op: 'replace', path: [], value: structuredClone(start) }])).toBe('applied');
    expect(live.applyMessage(2, batches[1]!)).toBe('gap');
    batches.forEach((batch, i) => expect(live.applyMessage(i + 1, structuredClone(batch))).toBe('applied'));
    expect(live.applyMessage(3, batches[2]!)).toBe('stale');
    expect(live.tree).toEqual(final);
    expect(live.size).toBe(final.order.length);
  });

  it('hands each change to the view once', () => {
    const { start, batches } = growTree(3, 4);
    const live = new LiveTree();
    live.reset(structuredClone(start), 0);
    expect(live.takeEffect().reset).toBe(true);
    live.applyMessage(1, structuredClone(batches[0]!));
    const effect = live.takeEffect();
    expect(effect.reset).toBe(false);
    expect(effect.added.size).toBeGreaterThan(0);
    expect(live.takeEffect().added.size).toBe(0);
  });
});

describe('pathTo', () => {
  it('walks first parents from the root, also through a lattice state with several parents', () => {
    const tree = {
      rootId: 0,
      order: [0, 1, 2, 3],
      nodes: {
        0: {
          id: 0,
          parents: [],
          kind: 'prompt',
          tokenId: null,
          text: '',
          logprob: 0,
          score: 0,
          depth: 0,
          status: 'expanded',
        },
        1: {
          id: 1,
          parents: [0],
          kind: 'token',
          tokenId: 5,
          text: 'a',
          logprob: -1,
          score: -1,
          depth: 1,
          status: 'expanded',
        },
        2: {
          id: 2,
          parents: [0],
          kind: 'token',
          tokenId: 6,
          text: 'b',
          logprob: -2,
          score: -2,
          depth: 1,
          status: 'expanded',
        },
        3: {
          id: 3,
          parents: [2, 1],
          kind: 'token',
          tokenId: 7,
          text: 'c',
          logprob: -1,
          score: -3,
          depth: 2,
          status: 'finished',
        },
      },
    } as const;
    expect(pathTo(tree as never, 3)).toEqual([0, 2, 3]);
    expect(pathTo(tree as never, 0)).toEqual([0]);
    expect(pathTo(tree as never, 9)).toEqual([]);
  });
});
