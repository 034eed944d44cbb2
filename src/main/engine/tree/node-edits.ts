import type { Draft, Patch } from 'immer';
import type { TreeNode } from '../../../shared/tree';

function sameElements(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Whether the edited copy differs from `node`; the patches that turn one into the other go to `patches` (when
 * given), one per top-level field that changed (a field's new value replaces it whole). An array copied for
 * editing but left as it was gets the node's own array back, so that unchanged values stay shared.
 */
export function editPatches(id: number, node: TreeNode, copy: Draft<TreeNode>, patches: Patch[] | null): boolean {
  let changed = false;
  const before = node as unknown as Record<string, unknown>;
  const after = copy as unknown as Record<string, unknown>;
  for (const key in after) {
    const value = after[key];
    const old = before[key];
    if (value === old) continue;
    if (Array.isArray(value) && Array.isArray(old) && sameElements(value, old)) {
      after[key] = old;
      continue;
    }
    if (value === undefined && !(key in before)) continue;
    changed = true;
    patches?.push({ op: key in before ? 'replace' : 'add', path: ['nodes', id, key], value });
  }
  for (const key in before) {
    if (key in after) continue;
    changed = true;
    patches?.push({ op: 'remove', path: ['nodes', id, key] });
  }
  return changed;
}

/** Containers not frozen yet (typed arrays cannot be frozen and are left as they are). */
function needsFreezing(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Object.isFrozen(value) && !ArrayBuffer.isView(value);
}

function freezeValue(value: object): void {
  Object.freeze(value);
  if (Array.isArray(value)) {
    for (const item of value) if (needsFreezing(item)) freezeValue(item);
  } else {
    for (const key in value) {
      const item = (value as Record<string, unknown>)[key];
      if (needsFreezing(item)) freezeValue(item);
    }
  }
}

/** Freezes a node and everything in it (values already frozen, such as an unchanged top-k list, are skipped). */
export function freezeNode(node: TreeNode): TreeNode {
  if (needsFreezing(node)) freezeValue(node);
  return node;
}
