import type { ElementDefinition } from 'cytoscape';
import type { TreeNode } from '../../../../shared/tree';
import { probabilityColor } from '../tree/color';

const MAX_LABEL = 14;

/** What a node shows: its token (whitespace made visible), the prompt root as "prompt", a thought as "θ". */
export function nodeLabel(node: TreeNode): string {
  if (node.kind === 'prompt') return 'prompt';
  if (node.kind === 'thought') return `θ${node.depth}`;
  const text = node.text.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/^ /, '␣');
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text || '∅';
}

export function nodeClasses(node: TreeNode): string[] {
  const classes: string[] = [node.status];
  if (node.kind !== 'token') classes.push(node.kind);
  return classes;
}

export function nodeElement(node: TreeNode, position: { x: number; y: number } | undefined): ElementDefinition {
  return {
    group: 'nodes',
    data: { id: `n${node.id}`, nodeId: node.id, label: nodeLabel(node), color: probabilityColor(node.logprob) },
    classes: nodeClasses(node),
    position: position ?? { x: 0, y: 0 },
  };
}

/** Edges into a node: its first parent (the drawn tree) and its other parents (a lattice state). */
export function edgeElements(node: TreeNode): ElementDefinition[] {
  const edges: ElementDefinition[] = [];
  node.parents.forEach((parent, i) => {
    edges.push({
      group: 'edges',
      data: { id: i === 0 ? `e${node.id}` : `x${parent}-${node.id}`, source: `n${parent}`, target: `n${node.id}` },
      classes: i === 0 ? (node.status === 'pruned' ? ['pruned'] : []) : ['lattice'],
    });
  });
  // An absorbed hypothesis is not linked to its survivor: the survivor already carries the absorbed
  // path's parent as a lattice edge, and a second link per merge only cluttered wide lattices. The
  // inspector names the survivor ("merged into").
  return edges;
}
