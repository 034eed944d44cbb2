import { describe, expect, it } from 'vitest';
import { sceneToSvg } from '../../src/renderer/src/lib/export/tree-svg';
import { nodeLabel } from '../../src/renderer/src/lib/cy/elements';

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
