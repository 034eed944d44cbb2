import { describe, expect, it } from 'vitest';
import { BigTree } from '../../../src/renderer/src/lib/cy/big-tree';
import { visibleRect } from '../../../src/renderer/src/lib/cy/fit-view';
import { layoutView } from '../../../src/renderer/src/lib/tree/layout';
import { defaultViewOptions, viewTree } from '../../../src/renderer/src/lib/tree/view-tree';
import { beamShapedTree } from '../../../bench/synthetic-tree';

describe('BigTree', () => {
  const tree = beamShapedTree(3000);
  const { root, nodes } = viewTree(tree, defaultViewOptions());
  const positions = layoutView(root);
  const big = new BigTree(nodes, positions, tree, 'probability');

  it('hands Cytoscape exactly the nodes in and around a legible view, and none when zoomed out', () => {
    // a view centred on a node near the root, where the tree is dense
    const centre = positions.get(`n${tree.order[60]}`)!;
    const view = { zoom: 1, pan: { x: 250 - centre.x, y: 200 - centre.y }, width: 500, height: 400 };
    const window = big.windowAt(view, 0.66);
    const { x0, x1, y0, y1 } = visibleRect(view, 0.25);
    const inside = [...positions].filter(([, p]) => p.x >= x0 && p.x <= x1 && p.y >= y0 && p.y <= y1);
    expect(inside.length).toBeGreaterThan(20);
    expect([...window].sort()).toEqual(inside.map(([key]) => key).sort());
    expect(big.windowAt({ ...view, zoom: 0.5 }, 0.66).size).toBe(0);
    // a view holding more than 700 nodes hands over none
    expect(big.windowAt({ zoom: 0.7, pan: { x: 0, y: 0 }, width: 4000, height: 20000 }, 0.66).size).toBe(0);
  });

  it('finds the node under the pointer within a few pixels', () => {
    const [key, p] = [...positions][100]!;
    expect(big.keyAt({ x: p.x + 3, y: p.y - 2 }, 1)).toBe(key);
    expect(big.keyAt({ x: p.x + 50, y: p.y }, 1)).toBeNull();
  });

  it('marks what Cytoscape has drawn (not what waits to be added), the chosen path and the selection', () => {
    const keys = [...nodes.keys()];
    const marks = big.marks(
      keys.slice(0, 10),
      [{ group: 'nodes', data: { id: keys[3]! } }],
      ['n0', `en${tree.order[1]}`, `n${tree.order[1]}`],
      [],
      tree.order[2]!,
    );
    const held = [...marks.inCytoscape!.keys()].filter((i) => marks.inCytoscape![i]);
    expect(held.map((i) => big.keys[i])).toEqual(keys.slice(0, 10).filter((_, i) => i !== 3));
    expect(marks.chosen.map((i) => big.keys[i])).toEqual(['n0', `n${tree.order[1]}`]);
    expect(big.keys[marks.selected]).toBe(`n${tree.order[2]}`);
  });
});
