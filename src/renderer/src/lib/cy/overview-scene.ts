import type { TreeState } from '../../../../shared/tree';
import type { Point } from '../tree/layout';
import type { ViewNode } from '../tree/view-tree';
import { PROMPT, PRUNED, STEERED, STUB, shadeOf, type OverviewScene } from './overview-layer';

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
): IndexedScene {
  const size = view.size;
  const scene: OverviewScene = {
    size,
    x: new Float32Array(size),
    y: new Float32Array(size),
    parent: new Int32Array(size),
    shade: new Uint8Array(size),
    flags: new Uint8Array(size),
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
    scene.shade[i] = shadeOf(node.logprob);
    scene.flags[i] = v.stub
      ? STUB
      : (node.status === 'pruned' ? PRUNED : 0) |
        (node.intervention !== undefined ? STEERED : 0) |
        (node.kind === 'prompt' ? PROMPT : 0);
    i++;
  }
  return { scene, keys, indexOf };
}
