import type { LabApi, LabEvents, RunSummary } from '../../../../shared/lab-api';
import type { RunProgress } from '../../../../shared/run';
import { LiveTree } from '../../../../shared/tree-sync';

/** how long one slice of queued patch messages may hold the page */
const SLICE_MS = 8;

export interface RunEntry {
  summary: RunSummary;
  live: LiveTree;
  progress: RunProgress | null;
}

/**
 * Every run the renderer shows, kept in step with the main process through the LabApi's events.
 * Plain TypeScript (tested without a DOM); the Svelte layer re-reads it when `onChange` fires.
 */
export class RunStore {
  readonly runs = new Map<string, RunEntry>();
  /** patch messages that arrived while a snapshot was being fetched, replayed on top of it */
  private readonly resyncing = new Map<string, LabEvents['runPatches'][]>();
  /** runs the researcher cancelled that have not reported their end yet: their patches are dropped */
  private readonly cancelling = new Set<string>();
  /**
   * Patch messages not applied yet, in arrival order. Each arrives as its own task; applying them in
   * time-boxed slices instead lets a key press or click in between be handled at once, and lets a
   * cancel drop what is still waiting.
   */
  private inbox: LabEvents['runPatches'][] = [];
  private pumpScheduled = false;
  private readonly emptied: (() => void)[] = [];

  constructor(
    private readonly api: LabApi,
    /** `runId` when one run's tree or progress changed; none when the list or a summary changed */
    private readonly onChange: (runId?: string) => void,
    /** runs the next slice of queued patches (a macrotask, so input events get in between) */
    private readonly schedule: (task: () => void) => void = (task) => setTimeout(task, 0),
  ) {}

  /** Subscribes to the event stream, then loads what already exists (a reloaded page). */
  async attach(): Promise<() => void> {
    const offs = [
      this.api.on('runStarted', (s) => this.upsert(s)),
      this.api.on('runFinished', (s) => {
        const dropped = this.cancelling.delete(s.runId);
        this.upsert(s);
        const entry = this.runs.get(s.runId);
        if (entry) entry.progress = null;
        // the patches dropped since the cancel: one snapshot of the final tree replaces them
        if (dropped) void this.resync(s.runId);
      }),
      this.api.on('runPatches', (m) => this.enqueue(m)),
      this.api.on('runRemoved', ({ runId }) => {
        this.dropQueued(runId);
        if (this.runs.delete(runId)) this.onChange();
      }),
      this.api.on('runProgress', ({ runId, fraction, message }) => {
        const entry = this.runs.get(runId);
        if (!entry || entry.summary.state !== 'running') return;
        entry.progress = { fraction, message };
        this.onChange(runId);
      }),
    ];
    for (const summary of await this.api.request('listRuns', {})) {
      this.upsert(summary);
      await this.resync(summary.runId);
    }
    return () => offs.forEach((off) => off());
  }

  list(): RunEntry[] {
    return [...this.runs.values()];
  }

  /**
   * Shows a run as cancelled at once, before the engine confirms: the patches still queued for it are
   * dropped, and its final tree is fetched once when it reports its end.
   */
  markCancelled(runId: string): void {
    const entry = this.runs.get(runId);
    if (!entry || entry.summary.state !== 'running') return;
    this.cancelling.add(runId);
    this.dropQueued(runId);
    entry.summary = { ...entry.summary, state: 'cancelled' };
    entry.progress = null;
    this.onChange();
  }

  remove(runId: string): void {
    this.dropQueued(runId);
    this.runs.delete(runId);
    this.onChange();
  }

  private upsert(summary: RunSummary): void {
    const entry = this.runs.get(summary.runId);
    // a cancelled run stays cancelled on screen until its end arrives (a late progress summary must not revive it)
    if (entry && this.cancelling.has(summary.runId) && summary.state === 'running') return;
    if (entry) entry.summary = summary;
    else this.runs.set(summary.runId, { summary, live: new LiveTree(), progress: null });
    this.onChange();
  }

  /** Resolves once every patch message received so far has been applied (or dropped). */
  applied(): Promise<void> {
    if (this.inbox.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  private enqueue(message: LabEvents['runPatches']): void {
    if (this.cancelling.has(message.runId)) return;
    this.inbox.push(message);
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    this.schedule(() => this.pump());
  }

  private dropQueued(runId: string): void {
    this.inbox = this.inbox.filter((m) => m.runId !== runId);
  }

  /** Applies queued messages for up to SLICE_MS, tells the views once per run, and comes back for the rest. */
  private pump(): void {
    this.pumpScheduled = false;
    const started = performance.now();
    const changed = new Set<string>();
    let taken = 0;
    while (taken < this.inbox.length && (taken === 0 || performance.now() - started < SLICE_MS)) {
      const message = this.inbox[taken++]!;
      if (this.apply(message)) changed.add(message.runId);
    }
    this.inbox = this.inbox.slice(taken);
    for (const runId of changed) this.onChange(runId);
    if (this.inbox.length > 0) {
      this.pumpScheduled = true;
      this.schedule(() => this.pump());
    } else for (const resolve of this.emptied.splice(0)) resolve();
  }

  /** Applies one message; true when the run's tree changed. */
  private apply(message: LabEvents['runPatches']): boolean {
    const entry = this.runs.get(message.runId);
    if (!entry || this.cancelling.has(message.runId)) return false;
    const buffered = this.resyncing.get(message.runId);
    if (buffered) {
      buffered.push(message);
      return false;
    }
    const outcome = entry.live.applyMessage(message.seq, message.patches);
    if (outcome === 'gap') void this.resync(message.runId);
    return outcome === 'applied';
  }

  /** Replaces a run's tree with the main process's snapshot (first load, or after a missed message). */
  async resync(runId: string): Promise<void> {
    const entry = this.runs.get(runId);
    if (!entry) return;
    if (this.resyncing.has(runId)) return;
    const buffered: LabEvents['runPatches'][] = [];
    this.resyncing.set(runId, buffered);
    try {
      const { tree, seq } = await this.api.request('getTree', { runId });
      entry.live.reset(tree, seq);
      // Messages older than the snapshot are stale; later ones continue it in order.
      for (const message of buffered) entry.live.applyMessage(message.seq, message.patches);
    } finally {
      this.resyncing.delete(runId);
    }
    this.onChange(runId);
  }
}
