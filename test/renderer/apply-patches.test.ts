import { describe, expect, it } from 'vitest';
import { applyPatchesInPlace } from '../../src/renderer/src/lib/tree/apply-patches';
import { growTree, rootTree } from './tree-fixtures';

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
    expect(() => applyPatchesInPlace({ nodes: {} }, [{ op: 'replace', path: ['nodes', 9, 'status'], value: 'pruned' }])).toThrow(/nodes\/9\/status/);
  });
});
