import type { Patch } from 'immer';
import type { TreeNode } from '../../../shared/tree';

export const PAGE_SIZE = 256;
export const pageOf = (id: number) => Math.floor(id / PAGE_SIZE);

/**
 * Rewrites immer's patches against the paged store ({ pages: [[node…]…] }) into patches against the public
 * shape ({ nodes: {id: node}, order: [id…] }) that the main process and the renderer apply. Ids below `firstNew`
 * existed before the step.
 */
export function toPublicPatches(patches: Patch[], firstNew: number): Patch[] {
  const out: Patch[] = [];
  const added: TreeNode[] = [];
  for (const patch of patches) {
    const [root, page, slot, ...rest] = patch.path;
    if (root !== 'pages' || page === 'length' || slot === 'length') continue;
    if (slot === undefined) {
      // a whole new page of nodes
      for (const node of patch.value as TreeNode[]) added.push(node);
      continue;
    }
    const id = Number(page) * PAGE_SIZE + Number(slot);
    if (rest.length === 0 && id >= firstNew) {
      added.push(patch.value as TreeNode);
      continue;
    }
    out.push({ ...patch, path: ['nodes', id, ...rest] });
  }
  added.sort((a, b) => a.id - b.id);
  // new nodes first, so that edits of existing nodes (a merged state's extra parent) refer to nodes that exist
  const adds: Patch[] = [];
  for (const node of added) {
    adds.push({ op: 'add', path: ['nodes', node.id], value: node });
    adds.push({ op: 'add', path: ['order', node.id], value: node.id });
  }
  return [...adds, ...out];
}
