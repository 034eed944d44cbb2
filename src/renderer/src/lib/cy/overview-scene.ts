import type { TreeState } from '../../../../shared/tree';
import type { Point } from '../tree/layout';
import type { ViewNode } from '../tree/view-tree';
import type { TreeNode } from '../../../../shared/tree';
import { NO_ENTROPY_COLOR, entropyColorAt, entropyScale, probabilityColor, type ColorBy } from '../tree/color';
import { PROMPT, PRUNED, STEERED, STUB, type OverviewScene } from './overview-layer';
import { viewNodeLook } from './elements';

/** shades per colour scale in the overview: enough steps that neighbouring shades look alike */
const SHADES = 24;
const middle = (i: number) => (i + 0.5) / SHADES;

export const SHADE_PALETTES: Record<ColorBy, readonly string[]> = {
  probability: Array.from({ length: SHADES }, (_, i) => probabilityColor(Math.log(middle(i)))),
  // the last entry: nodes never evaluated
  entropy: [...Array.from({ length: SHADES }, (_, i) => entropyColorAt(middle(i))), NO_ENTROPY_COLOR],
};

const bucket = (at: number) => Math.min(SHADES - 1, Math.max(0, Math.floor(at * SHADES)));

/** A node's entry in its scale's palette. */
export function shadeOf(colorBy: ColorBy, node: Pick<TreeNode, 'logprob' | 'entropy'>): number {
  if (colorBy === 'probability') return bucket(Math.exp(node.logprob));
  return node.entropy === undefined ? SHADES : bucket(entropyScale(node.entropy));
}

export interface IndexedScene {
  scene: OverviewScene;
  /** element key of each entry */
  keys: string[];
  indexOf: Map<string, number>;
}

/** The drawn tree (view-tree.ts) with its layout as flat arrays for the overview layer. */
export function overviewScene(
  view: ReadonlyMap<string, ViewNode>,
  positions: ReadonlyMap<string, Point>,
  tree: TreeState,
  colorBy: ColorBy,
): IndexedScene {
  const size = view.size;
  const scene: OverviewScene = {
    size,
    x: new Float32Array(size),
    y: new Float32Array(size),
    parent: new Int32Array(size),
    shade: new Uint8Array(size),
    flags: new Uint8Array(size),
    latticeEdges: new Int32Array(0),
    palette: SHADE_PALETTES[colorBy],
    labelOf: (i) => {
      const v = view.get(keys[i]!)!;
      return viewNodeLook(v, tree.nodes[v.nodeId]!, colorBy).label;
    },
  };
  const keys: string[] = new Array(size);
  const indexOf = new Map<string, number>();
  let i = 0;
  // view-tree creates a parent before its children, so the parent's entry is known when a child comes
  for (const v of view.values()) {
    const p = positions.get(v.key)!;
    const node = tree.nodes[v.nodeId]!;
    keys[i] = v.key;
    indexOf.set(v.key, i);
    scene.x[i] = p.x;
    scene.y[i] = p.y;
    scene.parent[i] = v.parent ? indexOf.get(v.parent.key)! : -1;
    scene.shade[i] = shadeOf(colorBy, node);
    scene.flags[i] = v.stub
      ? STUB
      : (node.status === 'pruned' ? PRUNED : 0) |
        (node.intervention !== undefined ? STEERED : 0) |
        (node.kind === 'prompt' ? PROMPT : 0);
    i++;
  }
  // a lattice state's other parents, where drawn (parents come first, so every index is known by now)
  const lattice: number[] = [];
  for (const [key, v] of view) {
    if (v.stub) continue;
    const parents = tree.nodes[v.nodeId]!.parents;
    for (let k = 1; k < parents.length; k++) {
      const from = indexOf.get(`n${parents[k]}`);
      if (from !== undefined) lattice.push(from, indexOf.get(key)!);
    }
  }
  scene.latticeEdges = Int32Array.from(lattice);
  return { scene, keys, indexOf };
}
