import { describe, expect, it } from 'vitest';
import { applyPatches, enablePatches, type Patch } from 'immer';
import { addNode, setStatus, TreeStore } from '../../../../src/main/engine/tree/tree-store';
import type { TreeNode, TreeState } from '../../../../src/shared/tree';

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
  it('patches against the public shape rebuild the tree, edits of early nodes included', () => {
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
        // an edit to an old node, as a lattice merge makes
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

  it('emits no patches for nodes a step only read, and keeps nothing from a step that throws', () => {
    const store = new TreeStore({ kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' });
    const child = store.update((d) => addNode(d, token(0, 4)));
    const log: Patch[][] = [];
    store.subscribe((patches) => log.push(patches));
    const root = store.node(0);
    store.update((d) => d.nodes[0]!.score + d.nodes[child]!.parents.length);
    expect(log).toEqual([]);
    expect(store.node(0)).toBe(root);
    expect(() =>
      store.update((d) => {
        setStatus(d, 0, 'expanded');
        addNode(d, token(child, 5));
        throw new Error('step failed');
      }),
    ).toThrow('step failed');
    expect(store.size).toBe(2);
    expect(store.node(0).status).toBe('frontier');
    expect(store.state.order).toEqual([0, 1]);
    expect(log).toEqual([]);
  });

  it('patches new nodes whole, then each edit by its field, deleted fields removed', () => {
    const store = new TreeStore({ kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' });
    const start = store.snapshot();
    const log: Patch[][] = [];
    store.subscribe((patches) => log.push(patches));
    const [a, b] = store.update((d) => [addNode(d, token(0, 1)), addNode(d, token(0, 2))]);
    store.update((d) => {
      d.nodes[a]!.parents.push(b);
      d.nodes[b]!.entropy = 0.5;
    });
    store.update((d) => {
      delete d.nodes[b]!.entropy;
      d.nodes[a]!.status = 'merged';
    });
    expect(log[0]!.map((p) => p.path.join('/'))).toEqual(['nodes/1', 'order/1', 'nodes/2', 'order/2']);
    expect(log[1]!.map((p) => p.path.join('/')).sort()).toEqual([`nodes/${a}/parents/1`, `nodes/${b}/entropy`]);
    expect(log[2]!.map((p) => [p.op, p.path.join('/')]).sort()).toEqual([
      ['remove', `nodes/${b}/entropy`],
      ['replace', `nodes/${a}/status`],
    ]);
    expect(store.node(a).parents).toEqual([0, b]);
    expect('entropy' in store.node(b)).toBe(false);
    expect(log.reduce((state, patches) => applyPatches(state, patches), start)).toEqual(store.state);
  });

  it('sends a node added and edited in one step whole, as it ended the step, frozen to its leaves', () => {
    const store = new TreeStore({ kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' });
    const start = store.snapshot();
    const log: Patch[][] = [];
    store.subscribe((patches) => log.push(patches));
    const child = store.update((d) => {
      const id = addNode(d, token(0, 3));
      d.nodes[id]!.topk = [{ tokenId: 1, text: '1', logprob: -0.5 }];
      setStatus(d, 0, 'expanded');
      return id;
    });
    expect(log).toHaveLength(1);
    expect(log[0]!.map((p) => [p.op, p.path.join('/')])).toEqual([
      ['add', `nodes/${child}`],
      ['add', `order/${child}`],
      ['replace', 'nodes/0/status'],
    ]);
    expect((log[0]![0]!.value as TreeNode).topk).toEqual([{ tokenId: 1, text: '1', logprob: -0.5 }]);
    const node = store.node(child);
    expect(Object.isFrozen(node) && Object.isFrozen(node.topk) && Object.isFrozen(node.topk![0])).toBe(true);
    expect(Object.isFrozen(node.parents)).toBe(true);
    expect(log.reduce((state, patches) => applyPatches(state, patches), start)).toEqual(store.state);
    expect(() => store.update(() => store.update(() => 0))).toThrow('do not nest');
    expect(store.size).toBe(2);
  });

  it('keeps the same tree without listeners (no patches built) as with them', () => {
    const grow = (store: TreeStore) => {
      for (let step = 0; step < 600; step++)
        store.update((d) => {
          const parent = Math.floor(step / 3);
          const id = addNode(d, token(parent, step % 7));
          if (step % 5 === 0) setStatus(d, parent, 'expanded');
          if (step % 11 === 0) d.nodes[parent]!.entropy = step / 100;
          return id;
        });
      return store.snapshot();
    };
    const root = { kind: 'prompt', tokenId: null, text: 'p', logprob: 0, score: 0, status: 'frontier' } as const;
    const listened = new TreeStore(root);
    listened.subscribe(() => {});
    expect(grow(new TreeStore(root))).toEqual(grow(listened));
  });
});
