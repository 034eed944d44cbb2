import { describe, expect, it } from 'vitest';
import { sceneToSvg } from '../../src/renderer/src/lib/export/tree-svg';
import { nodeLabel, viewEdges } from '../../src/renderer/src/lib/cy/elements';
import { defaultViewOptions, viewTree } from '../../src/renderer/src/lib/tree/view-tree';
import type { TreeState } from '../../src/shared/tree';

describe('SVG export', () => {
  it('draws every node and edge, escapes labels and marks the chosen path', () => {
    const svg = sceneToSvg(
      {
        nodes: [
          { x: 0, y: 0, color: 'rgb(1,2,3)', label: 'prompt', classes: ['expanded', 'prompt', 'chosen'] },
          { x: 90, y: 0, color: 'rgb(4,5,6)', label: '<b>&', classes: ['finished', 'chosen'] },
          { x: 90, y: 22, color: 'rgb(7,8,9)', label: 'x', classes: ['pruned'] },
        ],
        edges: [
          { x1: 0, y1: 0, x2: 90, y2: 0, classes: ['chosen'] },
          { x1: 0, y1: 0, x2: 90, y2: 22, classes: ['pruned'] },
        ],
      },
      'beam & co',
    );
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg.match(/<line /g)).toHaveLength(2);
    expect(svg).toContain('&lt;b&gt;&amp;');
    expect(svg).toContain('<title>beam &amp; co</title>');
    expect(svg).toContain('stroke-width="4"');
    expect(svg).toContain('opacity="0.3"');
  });

  it('labels tokens so whitespace stays visible', () => {
    const base = { id: 1, parents: [0], tokenId: 3, logprob: 0, score: 0, depth: 1, status: 'expanded' as const };
    expect(nodeLabel({ ...base, kind: 'token', text: ' the' })).toBe('␣the');
    expect(nodeLabel({ ...base, kind: 'token', text: '\n' })).toBe('⏎');
    expect(nodeLabel({ ...base, kind: 'thought', tokenId: null, text: '' })).toBe('θ1');
  });
});

describe('tree elements', () => {
  it("draw a lattice state's first parent as the tree edge and its other parents (when drawn) as lattice edges", () => {
    const base = { kind: 'token' as const, tokenId: 1, text: 'a', logprob: -1, score: -2, status: 'expanded' as const };
    const tree: TreeState = {
      rootId: 0,
      order: [0, 4, 6, 9],
      nodes: {
        0: { ...base, id: 0, parents: [], kind: 'prompt', tokenId: null, depth: 0 },
        4: { ...base, id: 4, parents: [0], depth: 1 },
        6: { ...base, id: 6, parents: [0], depth: 1, status: 'pruned' },
        9: { ...base, id: 9, parents: [4, 6, 7], depth: 2 },
      },
    };
    const { nodes } = viewTree(tree, { ...defaultViewOptions(), expandedStubs: new Set([0]) });
    const edges = [...viewEdges(nodes, tree)].map(([key, e]) => [key, e.source, e.target, e.classes]);
    expect(edges.sort()).toEqual([
      ['en4', 'n0', 'n4', ''],
      ['en6', 'n0', 'n6', 'pruned'],
      ['en9', 'n4', 'n9', ''],
      ['x6-9', 'n6', 'n9', 'lattice'],
    ]);
  });
});
