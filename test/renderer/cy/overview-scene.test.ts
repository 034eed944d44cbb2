import { describe, expect, it } from 'vitest';
import { overviewScene } from '../../../src/renderer/src/lib/cy/overview-scene';
import { PROMPT, PRUNED, STUB, shadeOf } from '../../../src/renderer/src/lib/cy/overview-layer';
import { layoutView } from '../../../src/renderer/src/lib/tree/layout';
import { defaultViewOptions, viewTree } from '../../../src/renderer/src/lib/tree/view-tree';
import { growTree } from '../tree-fixtures';

describe('overviewScene', () => {
  it('lays the drawn tree out as flat arrays: each entry at its layout position, parents before children', () => {
    const { final: tree } = growTree(30, 4);
    const { root, nodes } = viewTree(tree, defaultViewOptions());
    const positions = layoutView(root);
    const { scene, keys, indexOf } = overviewScene(nodes, positions, tree);
    expect(scene.size).toBe(nodes.size);
    let stubs = 0;
    keys.forEach((key, i) => {
      const v = nodes.get(key)!;
      expect(indexOf.get(key)).toBe(i);
      expect([scene.x[i], scene.y[i]]).toEqual([positions.get(key)!.x, positions.get(key)!.y]);
      if (v.parent) {
        expect(keys[scene.parent[i]!]).toBe(v.parent.key);
        expect(scene.parent[i]!).toBeLessThan(i);
      } else expect(scene.parent[i]).toBe(-1);
      const node = tree.nodes[v.nodeId]!;
      if (v.stub) {
        stubs++;
        expect(scene.flags[i]).toBe(STUB);
      } else {
        expect((scene.flags[i]! & PRUNED) !== 0).toBe(node.status === 'pruned');
        expect((scene.flags[i]! & PROMPT) !== 0).toBe(node.kind === 'prompt');
        expect(scene.shade[i]).toBe(shadeOf(node.logprob));
      }
    });
    expect(stubs).toBeGreaterThan(0);
  });

  it('shades by probability from the unlikely end to the certain one', () => {
    expect(shadeOf(Math.log(1e-9))).toBe(0);
    expect(shadeOf(0)).toBe(23);
    expect(shadeOf(Math.log(0.5))).toBe(12);
  });
});
