import { describe, expect, it } from 'vitest';
import { applyPatches, enablePatches, type Patch } from 'immer';
import { addNode, setStatus, TreeStore } from '../../../../src/main/engine/tree/tree-store';
import type { TreeState } from '../../../../src/shared/tree';

enablePatches();

const token = (parent: number, tokenId: number) => ({
  parents: [parent],
  kind: 'token' as const,
  tokenId,
  text: String(tokenId),
  logprob: -1,
  score: -1,
  status: 'frontier' as const,
});

describe('tree store', () => {
  it('patches against the public shape rebuild the tree across many pages', () => {
    const store = new TreeStore({ kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' });
    const start: TreeState = store.snapshot();
    const log: Patch[][] = [];
    store.subscribe((patches) => log.push(patches));
    let frontier = [0];
    for (let step = 0; step < 5; step++) {
      frontier = store.update((draft) => {
        const next: number[] = [];
        for (const parent of frontier) {
          setStatus(draft, parent, 'expanded');
          for (let t = 0; t < 3; t++) next.push(addNode(draft, token(parent, t)));
        }
        // an edit to an old node in an early page, as a lattice merge makes
        if (draft.size > 300) draft.nodes[5]!.parents.push(draft.size - 1);
        return next;
      });
    }
    expect(store.size).toBe(1 + 3 + 9 + 27 + 81 + 243);
    const rebuilt = log.reduce((state, patches) => applyPatches(state, patches), start);
    expect(rebuilt).toEqual(store.state);
    expect(rebuilt.order).toEqual([...Array(store.size).keys()]);
    expect(store.node(363).depth).toBe(5);
    expect(store.node(5).parents).toEqual([1, 363]);
    expect(store.pathIds(363)).toEqual([0, 3, 12, 39, 120, 363]);
  });

  it('keeps node objects immutable and a snapshot independent of later steps', () => {
    const store = new TreeStore({ kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' });
    const child = store.update((d) => addNode(d, token(0, 4)));
    const before = store.snapshot();
    const node = store.node(child);
    store.update((d) => setStatus(d, child, 'pruned'));
    expect(node.status).toBe('frontier');
    expect(before.nodes[child]!.status).toBe('frontier');
    expect(store.node(child).status).toBe('pruned');
    expect(() => ((node as { status: string }).status = 'x')).toThrow();
    expect(store.pathTokens(child)).toEqual([4]);
  });
});
