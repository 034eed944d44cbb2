import { describe, expect, it } from 'vitest';
import { layoutView, COLUMN_GAP, ROW_GAP } from '../../src/renderer/src/lib/tree/layout';
import { defaultViewOptions, viewTree, type ViewOptions } from '../../src/renderer/src/lib/tree/view-tree';
import type { TreeState } from '../../src/shared/tree';
import { childrenOf, nodeForKey, pathTo, stepFrom, tokenPathKey } from '../../src/renderer/src/lib/tree/paths';
import { NO_ENTROPY_COLOR, entropyColor, nodeColor, probabilityColor } from '../../src/renderer/src/lib/tree/color';
import { growTree, rootTree } from './tree-fixtures';

/** A greedy-shaped tree: a chain of `length` tokens, each with `runnerUps` pruned alternatives. */
function greedyTree(length: number, runnerUps: number): TreeState {
  const { nodes, order } = rootTree();
  nodes[0] = { ...nodes[0]!, status: 'expanded' };
  let parent = 0;
  for (let d = 1; d <= length; d++) {
    const chosen = order.length;
    for (let k = 0; k <= runnerUps; k++) {
      const id = order.length;
      nodes[id] = {
        id,
        parents: [parent],
        kind: 'token',
        tokenId: k,
        text: `t${k}`,
        logprob: -1 - k,
        score: -d - k,
        depth: d,
        status: k === 0 ? 'expanded' : 'pruned',
      };
      order.push(id);
    }
    parent = chosen;
  }
  return { rootId: 0, nodes, order };
}

const all = (): ViewOptions => defaultViewOptions();

describe('tidy layout of the drawn tree', () => {
  const { final: tree } = growTree(200, 11);
  const { root, nodes } = viewTree(tree, { ...all(), expandedStubs: new Set(tree.order) });
  const positions = layoutView(root);

  it('places every drawn node left to right by depth at fixed spacing, never two at the same spot', () => {
    expect(positions.size).toBe(tree.order.length);
    const seen = new Set<string>();
    for (const id of tree.order) {
      const p = positions.get(`n${id}`)!;
      expect(p.x).toBeCloseTo(nodes.get(`n${id}`)!.depth * COLUMN_GAP, 6);
      const key = `${p.x.toFixed(3)}:${p.y.toFixed(3)}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it('keeps neighbours in a column at least a row apart', () => {
    const columns = new Map<number, number[]>();
    for (const p of positions.values()) columns.set(p.x, [...(columns.get(p.x) ?? []), p.y]);
    for (const ys of columns.values()) {
      ys.sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(ROW_GAP - 1e-9);
    }
  });

  it('draws a chain straight, its runner-ups beside (below) it', () => {
    const tree = greedyTree(30, 3);
    const { root } = viewTree(tree, { ...all(), expandedStubs: new Set(tree.order) });
    const laid = layoutView(root);
    const chain = tree.order.filter((id) => tree.nodes[id]!.status === 'expanded');
    expect(chain).toHaveLength(31);
    for (const id of chain) expect(laid.get(`n${id}`)!.y).toBe(0);
    for (const id of tree.order)
      if (tree.nodes[id]!.status === 'pruned') expect(laid.get(`n${id}`)!.y).toBeGreaterThan(0);
  });

  it('puts the child with the biggest subtree first, in line with its parent', () => {
    for (const v of nodes.values()) {
      if (v.children.length < 2) continue;
      expect(positions.get(v.children[0]!.key)!.y).toBeCloseTo(positions.get(v.key)!.y, 9);
    }
  });
});

describe('the drawn tree: stubs, folds, hidden pruned, replay', () => {
  const tree = greedyTree(10, 3);

  it('folds each parent\'s pruned leaves into one "+k pruned" stub, and opens it on request', () => {
    const { nodes } = viewTree(tree, all());
    const stubs = [...nodes.values()].filter((v) => v.stub);
    expect(stubs).toHaveLength(10);
    expect(stubs.every((s) => s.hidden === 3)).toBe(true);
    expect(nodes.size).toBe(1 + 10 + 10);
    const opened = viewTree(tree, { ...all(), expandedStubs: new Set([0]) }).nodes;
    expect(opened.has('s0')).toBe(false);
    expect(opened.size).toBe(nodes.size - 1 + 3);
  });

  it('hides pruned leaves and their stubs altogether', () => {
    const { nodes } = viewTree(tree, { ...all(), hidePruned: true });
    expect(nodes.size).toBe(11);
    for (const v of nodes.values()) expect(v.stub || tree.nodes[v.nodeId]!.status === 'pruned').toBe(false);
  });

  it('folds a subtree into its root, counting what it hides', () => {
    const second = tree.order.find((id) => tree.nodes[id]!.depth === 2 && tree.nodes[id]!.status === 'expanded')!;
    const { nodes } = viewTree(tree, { ...all(), collapsed: new Set([second]) });
    expect(nodes.get(`n${second}`)!.hidden).toBe(8 * 4);
    expect([...nodes.values()].every((v) => v.stub || tree.nodes[v.nodeId]!.depth <= 2)).toBe(true);
  });

  it('draws only the replayed prefix, every node of it (no stubs while replaying)', () => {
    expect(viewTree(tree, { ...all(), limit: 5 }).nodes.size).toBe(5);
    expect(viewTree(tree, { ...all(), limit: 9 }).nodes.size).toBe(9);
  });
});

describe('paths', () => {
  const { final: tree } = growTree(50, 13);
  const children = childrenOf(tree);

  it('finds a node again from its token path key (how hover crosses views)', () => {
    for (const id of tree.order) {
      const key = tokenPathKey(tree, id);
      const found = nodeForKey(tree, children, key)!;
      expect(tokenPathKey(tree, found)).toBe(key);
    }
    expect(nodeForKey(tree, children, '99,99')).toBeNull();
  });

  it('moves with arrow keys: parent, best child, siblings', () => {
    const id = tree.order.find((i) => (children.get(i)?.length ?? 0) >= 2)!;
    const kids = children.get(id)!;
    const best = kids.reduce((a, b) => (tree.nodes[b]!.score > tree.nodes[a]!.score ? b : a));
    expect(stepFrom(tree, children, id, 'ArrowRight')).toBe(best);
    expect(stepFrom(tree, children, kids[0]!, 'ArrowLeft')).toBe(id);
    expect(stepFrom(tree, children, kids[0]!, 'ArrowDown')).toBe(kids[1]);
    expect(stepFrom(tree, children, kids[0]!, 'ArrowUp')).toBeNull();
    expect(pathTo(tree, kids[0]!).at(-2)).toBe(id);
  });

  it('colours by probability on a monotone ramp', () => {
    expect(probabilityColor(0)).toBe('rgb(253,231,37)');
    expect(probabilityColor(-50)).toBe('rgb(68,1,84)');
  });

  it('colours by entropy on a logarithmic ramp, dark when certain, grey when never evaluated', () => {
    expect(entropyColor(0)).toBe('rgb(0,0,4)');
    expect(entropyColor(0.01)).toBe('rgb(0,0,4)');
    // the geometric middle of 0.01 and 3 nats is the ramp's middle stop
    expect(entropyColor(Math.sqrt(0.03))).toBe('rgb(188,55,84)');
    expect(entropyColor(3)).toBe('rgb(252,255,164)');
    expect(entropyColor(50)).toBe('rgb(252,255,164)');
    expect(entropyColor(undefined)).toBe(NO_ENTROPY_COLOR);
    expect(nodeColor('probability', { logprob: 0, entropy: 3 })).toBe(probabilityColor(0));
    expect(nodeColor('entropy', { logprob: 0, entropy: 3 })).toBe(entropyColor(3));
  });
});
