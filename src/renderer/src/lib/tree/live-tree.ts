import type { Patch } from 'immer';
import type { TreeState } from '../../../../shared/tree';
import { applyPatchesInPlace, newEffect, type PatchEffect } from './apply-patches';

export type SyncResult = 'applied' | 'stale' | 'gap';

/**
 * One run's tree as the renderer holds it: built from the patch stream, in order. A message older
 * than what is held is ignored (a snapshot from getTree already contained it); a gap in the sequence
 * means something was missed, and the caller must fetch a fresh snapshot.
 */
export class LiveTree {
  tree: TreeState = { rootId: 0, nodes: {}, order: [] };
  seq = -1;
  /** what changed since the view last drew; the view takes it with `takeEffect` */
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
