import type { Patch } from 'immer';
import type { RunSummary } from '../../shared/lab-api';
import type { TreeState } from '../../shared/tree';
import type { ExportModelSchema } from '../../shared/export-format';
import { applyPatchesInPlace } from '../../shared/tree-sync';
import type { z } from 'zod';

/**
 * What the main process keeps of one run: its summary and its last known tree. The tree is kept
 * up to date from the patch stream, so an engine crash loses nothing that had reached the host.
 */
export class HostRun {
  tree: TreeState | null = null;
  /** the last patch message sent for this run (-1: none yet) */
  seq = -1;
  private lastProgressAt = 0;

  constructor(
    public summary: RunSummary,
    /** the model folder the run uses (null for an imported run) */
    readonly folder: string | null,
    readonly model: z.infer<typeof ExportModelSchema>,
  ) {}

  get running(): boolean {
    return this.summary.state === 'running';
  }

  /**
   * Replaces the whole tree and returns the patch that says so to subscribers. The host keeps its own
   * copy: it changes that copy in place later, and the objects it sent must not change under a listener.
   */
  replaceTree(tree: TreeState): Patch[] {
    this.tree = structuredClone(tree);
    return [{ op: 'replace', path: [], value: tree }];
  }

  /**
   * Applies a batch in place (a batch costs what it changes, not a copy of the 10,000-node record as
   * immer's applyPatches would). The values are copied first: the same patches go on to subscribers.
   */
  applyPatches(patches: Patch[]): void {
    if (!this.tree) throw new Error(`run ${this.summary.runId}: patches arrived before its tree`);
    this.tree = applyPatchesInPlace(this.tree, structuredClone(patches)).value;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** Progress is informational: at most ten reports a second reach the renderer. */
  progressDue(now: number): boolean {
    if (now - this.lastProgressAt < 100) return false;
    this.lastProgressAt = now;
    return true;
  }
}
