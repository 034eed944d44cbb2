import { describe, expect, it } from 'vitest';
import { layoutTree, COLUMN_GAP, ROW_GAP } from '../../src/renderer/src/lib/tree/layout';
import { childrenOf, nodeForKey, pathTo, stepFrom, tokenPathKey } from '../../src/renderer/src/lib/tree/paths';
import { probabilityColor } from '../../src/renderer/src/lib/tree/color';
import { growTree } from './tree-fixtures';

describe('tidy layout', () => {
  const { final: tree } = growTree(200, 11);
  const positions = layoutTree(tree);

  it('places every node left to right by depth, never two at the same spot', () => {
    expect(positions.size).toBe(tree.order.length);
    const seen = new Set<string>();
    for (const id of tree.order) {
      const p = positions.get(id)!;
      expect(p.x).toBeCloseTo(tree.nodes[id]!.depth * COLUMN_GAP, 6);
      const key = `${p.x.toFixed(3)}:${p.y.toFixed(3)}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
  });

  it('keeps neighbours in a column at least a row apart', () => {
    const columns = new Map<number, number[]>();
    for (const id of tree.order) {
      const p = positions.get(id)!;
      columns.set(p.x, [...(columns.get(p.x) ?? []), p.y]);
    }
    for (const ys of columns.values()) {
      ys.sort((a, b) => a - b);
      for (let i = 1; i < ys.length; i++) expect(ys[i]! - ys[i - 1]!).toBeGreaterThanOrEqual(ROW_GAP - 1e-9);
    }
  });

  it('lays out only the replayed prefix, and spreads a bushy shallow tree to the view\'s proportions', () => {
    const shown = new Set(tree.order.slice(0, 20));
    expect(layoutTree(tree, (id) => shown.has(id)).size).toBe(20);
    const wide = layoutTree(tree, undefined, 3);
    const maxDepth = Math.max(...tree.order.map((id) => tree.nodes[id]!.depth));
    const ys = [...wide.values()].map((p) => p.y);
    const height = Math.max(...ys) - Math.min(...ys);
    const deepest = Math.max(...[...wide.values()].map((p) => p.x));
    expect(deepest).toBeGreaterThanOrEqual(Math.min(height * 3, COLUMN_GAP * 20 * maxDepth) - 1e-6);
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
});
