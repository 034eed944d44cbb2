import type { Patch } from 'immer';

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
 * Applies immer patches in place (the renderer's tree is plain mutable data: copying a 10,000-node
 * record for every batch, as immer's own applyPatches does, costs more than drawing it) and reports
 * which tree nodes they touched. Patch values are taken over, not copied: they come fresh off the wire.
 */
export function applyPatchesInPlace<T>(target: T, patches: readonly Patch[], effect: PatchEffect = newEffect()): { value: T; effect: PatchEffect } {
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
