import type { TreeNode, TreeState } from '../../../../shared/tree';
import { nodeColor, type ColorBy } from '../tree/color';
import type { ViewNode } from '../tree/view-tree';

const MAX_LABEL = 12;

/** What a node shows: its token (whitespace made visible), the prompt root as "prompt", a thought as "θ". */
export function nodeLabel(node: TreeNode): string {
  if (node.kind === 'prompt') return 'prompt';
  if (node.kind === 'thought') return `θ${node.depth}`;
  const text = node.text.replace(/\n/g, '⏎').replace(/\t/g, '⇥').replace(/^ /, '␣');
  return text.length > MAX_LABEL ? `${text.slice(0, MAX_LABEL - 1)}…` : text || '∅';
}

/** Everything a drawn element shows that comes from the tree (hover, selection and the chosen path come on top). */
export interface ElementLook {
  label: string;
  color: string;
  classes: string;
}

export function viewNodeLook(v: ViewNode, node: TreeNode, colorBy: ColorBy): ElementLook {
  if (v.stub) return { label: `+${v.hidden} pruned`, color: '#ced4da', classes: 'stub' };
  const classes: string[] = [node.status];
  if (node.kind !== 'token') classes.push(node.kind);
  if (node.intervention !== undefined) classes.push('steered');
  if (v.hidden > 0) classes.push('collapsed');
  const label = nodeLabel(node);
  return {
    label: v.hidden > 0 ? `${label} ▸${v.hidden}` : label,
    color: nodeColor(colorBy, node),
    classes: classes.join(' '),
  };
}

export interface EdgeLook {
  source: string;
  target: string;
  classes: string;
}

/**
 * The edges of the drawn tree by element key: each drawn node's first parent (the tree; a dotted line
 * to a stub), and a lattice state's other parents where they are drawn (dashed). An absorbed hypothesis
 * is not linked to its survivor: the survivor already carries the absorbed path's parent as a lattice
 * edge, and the inspector names the survivor ("merged into").
 */
export function viewEdges(
  view: ReadonlyMap<string, ViewNode>,
  tree: TreeState,
  /** only edges between these keys (the part of a big tree Cytoscape holds) */
  only?: ReadonlySet<string>,
): Map<string, EdgeLook> {
  const edges = new Map<string, EdgeLook>();
  const drawn = (key: string) => (only ? only.has(key) : view.has(key));
  for (const v of view.values()) {
    if (!v.parent || (only && !(only.has(v.key) && only.has(v.parent.key)))) continue;
    const node = tree.nodes[v.nodeId]!;
    edges.set(`e${v.key}`, {
      source: v.parent.key,
      target: v.key,
      classes: v.stub
        ? 'stub'
        : `${node.status === 'pruned' ? 'pruned' : ''}${node.intervention !== undefined ? ' steered' : ''}`.trim(),
    });
    if (v.stub) continue;
    for (let i = 1; i < node.parents.length; i++) {
      const source = `n${node.parents[i]}`;
      if (drawn(source)) edges.set(`x${node.parents[i]}-${v.nodeId}`, { source, target: v.key, classes: 'lattice' });
    }
  }
  return edges;
}
