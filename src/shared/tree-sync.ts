import type { Patch } from 'immer';
import type { TreeState } from './tree';

/**
 * The one way a run's tree is kept in step with the engine's patch stream, in the main process (the
 * host's copy of every run) and in the renderer (each view's tree): patches applied in place, message
 * sequence checked, paths walked along first parents.
 */

export interface PatchEffect {
  /** the whole tree was replaced (path []) */
  reset: boolean;
  /** nodes that appeared */
  added: Set<number>;
  /** nodes that existed and changed (status, entropy, top-k, parents, ...) */
  updated: Set<number>;
}

type Container = Record<string | number, unknown> | unknown[];

/**
 * Applies immer patches in place and reports which tree nodes they touched. immer's own applyPatches
 * copies every record and array on a patch's path, so each batch would copy the 10,000-key node record:
 * in place, a batch costs what it changes. Patch values are taken over, not copied: a caller that hands
 * the same patches on to others must give this function its own copy.
 */
export function applyPatchesInPlace<T>(
  target: T,
  patches: readonly Patch[],
  effect: PatchEffect = newEffect(),
): { value: T; effect: PatchEffect } {
  let root = target as unknown;
  for (const patch of patches) {
    const { path, op } = patch;
    if (path.length === 0) {
      if (op !== 'replace') throw new Error(`cannot ${op} the root`);
      root = patch.value;
      effect.reset = true;
      effect.added.clear();
      effect.updated.clear();
      continue;
    }
    let parent = root as Container;
    for (let i = 0; i < path.length - 1; i++) {
      const next = (parent as Record<string | number, unknown>)[path[i] as string | number];
      if (typeof next !== 'object' || next === null) throw new Error(`patch path ${path.join('/')} does not exist`);
      parent = next as Container;
    }
    const key = path[path.length - 1] as string | number;
    if (Array.isArray(parent)) applyToArray(parent, op, key, patch.value);
    else if (op === 'remove') delete parent[key];
    else parent[key] = patch.value;
    noteNode(effect, path, op);
  }
  return { value: root as T, effect };
}

function applyToArray(array: unknown[], op: Patch['op'], key: string | number, value: unknown): void {
  if (key === 'length') {
    array.length = value as number;
    return;
  }
  const index = key === '-' ? array.length : Number(key);
  if (op === 'add') array.splice(index, 0, value);
  else if (op === 'replace') array[index] = value;
  else array.splice(index, 1);
}

function noteNode(effect: PatchEffect, path: Patch['path'], op: Patch['op']): void {
  if (effect.reset || path[0] !== 'nodes' || path.length < 2) return;
  const id = Number(path[1]);
  if (path.length === 2 && op === 'add') effect.added.add(id);
  else if (path.length === 2 && op === 'remove') {
    effect.added.delete(id);
    effect.updated.delete(id);
  } else if (!effect.added.has(id)) effect.updated.add(id);
}

export function newEffect(): PatchEffect {
  return { reset: false, added: new Set(), updated: new Set() };
}

export type SyncResult = 'applied' | 'stale' | 'gap';

/**
 * One run's tree built from the patch stream, in order. A message older than what is held is ignored
 * (a snapshot already contained it); a gap in the sequence means something was missed, and the caller
 * must fetch a fresh snapshot.
 */
export class LiveTree {
  tree: TreeState = { rootId: 0, nodes: {}, order: [] };
  seq = -1;
  /** what changed since the last `takeEffect` (a view's redraw) */
  private effect: PatchEffect = newEffect();

  applyMessage(seq: number, patches: readonly Patch[]): SyncResult {
    if (seq <= this.seq) return 'stale';
    if (seq !== this.seq + 1) return 'gap';
    this.tree = applyPatchesInPlace(this.tree, patches, this.effect).value;
    this.seq = seq;
    return 'applied';
  }

  /** A whole snapshot (getTree or an import); following messages continue from `seq`. */
  reset(tree: TreeState, seq: number): void {
    this.tree = tree;
    this.seq = seq;
    this.effect = newEffect();
    this.effect.reset = true;
  }

  takeEffect(): PatchEffect {
    const effect = this.effect;
    this.effect = newEffect();
    return effect;
  }

  get size(): number {
    return this.tree.order.length;
  }
}

/** Ids from the root down to `nodeId` along first parents (the tree drawn under a lattice). */
export function pathTo(tree: TreeState, nodeId: number): number[] {
  const ids: number[] = [];
  const seen = new Set<number>();
  for (let node = tree.nodes[nodeId]; node && !seen.has(node.id); node = tree.nodes[node.parents[0] ?? -1]) {
    seen.add(node.id);
    ids.push(node.id);
    if (node.parents.length === 0) break;
  }
  return ids.reverse();
}
