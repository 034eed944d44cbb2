import { describe, expect, it } from 'vitest';
import { SHADE_PALETTES, overviewScene, shadeOf } from '../../../src/renderer/src/lib/cy/overview-scene';
import { PROMPT, PRUNED, STUB } from '../../../src/renderer/src/lib/cy/overview-layer';
import { viewEdges } from '../../../src/renderer/src/lib/cy/elements';
import { NO_ENTROPY_COLOR } from '../../../src/renderer/src/lib/tree/color';
import { layoutView } from '../../../src/renderer/src/lib/tree/layout';
import { defaultViewOptions, viewTree } from '../../../src/renderer/src/lib/tree/view-tree';
import { growTree } from '../tree-fixtures';

describe('overviewScene', () => {
  it('lays the drawn tree out as flat arrays: each entry at its layout position, parents before children', () => {
    const { final: tree } = growTree(30, 4);
    const { root, nodes } = viewTree(tree, defaultViewOptions());
    const positions = layoutView(root);
    const { scene, keys, indexOf } = overviewScene(nodes, positions, tree, 'probability');
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
        expect(scene.shade[i]).toBe(shadeOf('probability', node));
      }
    });
    expect(stubs).toBeGreaterThan(0);
    // the lattice's other parents: the same edges Cytoscape draws dashed
    const lattice = [...viewEdges(nodes, tree).values()]
      .filter((e) => e.classes === 'lattice')
      .map((e) => `${e.source}>${e.target}`)
      .sort();
    expect(lattice.length).toBeGreaterThan(0);
    const pairs: string[] = [];
    for (let k = 0; k < scene.latticeEdges.length; k += 2)
      pairs.push(`${keys[scene.latticeEdges[k]!]}>${keys[scene.latticeEdges[k + 1]!]}`);
    expect(pairs.sort()).toEqual(lattice);
  });

  it('shades by probability from the unlikely end to the certain one', () => {
    expect(shadeOf('probability', { logprob: Math.log(1e-9) })).toBe(0);
    expect(shadeOf('probability', { logprob: 0 })).toBe(23);
    expect(shadeOf('probability', { logprob: Math.log(0.5) })).toBe(12);
  });

  it('shades by entropy on request, logarithmic from near-certain (0.01 nats) to 3 nats and more, with its own colour for nodes never evaluated', () => {
    const shade = (entropy?: number) => shadeOf('entropy', { logprob: 0, entropy });
    // logarithmic from 0.01 to 3 nats: their geometric middle is the middle shade
    expect(shade(0)).toBe(0);
    expect(shade(0.01)).toBe(0);
    expect(shade(Math.sqrt(0.01 * 3) * 1.001)).toBe(12);
    expect(shade(3)).toBe(23);
    expect(shade(9)).toBe(23);
    expect(SHADE_PALETTES.entropy[shade(undefined)]).toBe(NO_ENTROPY_COLOR);
    const { final: tree } = growTree(30, 4);
    const { nodes } = viewTree(tree, defaultViewOptions());
    const { scene, keys } = overviewScene(
      nodes,
      layoutView(viewTree(tree, defaultViewOptions()).root),
      tree,
      'entropy',
    );
    expect(scene.palette).toBe(SHADE_PALETTES.entropy);
    keys.forEach((key, i) => {
      const v = nodes.get(key)!;
      if (!v.stub) expect(scene.shade[i]).toBe(shade(tree.nodes[v.nodeId]!.entropy));
    });
  });
});
