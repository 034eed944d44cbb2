import { describe, expect, it } from 'vitest';
import type { Patch } from 'immer';
import { RunStore } from '../../src/renderer/src/lib/stores/run-store';
import type { LabApi, LabEventName, LabEvents, RunSummary } from '../../src/shared/lab-api';
import type { TreeState } from '../../src/shared/tree';
import { growTree } from './tree-fixtures';

/** A LabApi double: events are pushed by the test; getTree answers from `snapshots` when released. */
function fakeApi(snapshots: Map<string, { tree: TreeState; seq: number }>, existing: RunSummary[] = []) {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  let release: () => void = () => {};
  let gate: Promise<void> = Promise.resolve();
  const calls: string[] = [];
  const api: LabApi = {
    async request(name, params) {
      calls.push(name);
      if (name === 'listRuns') return existing as never;
      if (name === 'getTree') {
        await gate;
        return structuredClone(snapshots.get((params as { runId: string }).runId)!) as never;
      }
      throw new Error(`unexpected ${name}`);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (p: unknown) => void);
      return () => set.delete(listener as (p: unknown) => void);
    },
  };
  return {
    api,
    calls,
    emit<E extends LabEventName>(event: E, payload: LabEvents[E]) {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    hold() {
      gate = new Promise((r) => (release = r));
    },
    release: () => release(),
  };
}

const summary = (runId: string, state: RunSummary['state'] = 'running'): RunSummary => ({
  runId,
  label: runId,
  prompt: 'p',
  config: { strategy: 'greedy', maxNewTokens: 4, topkShown: 2 },
  state,
});

const settle = () => new Promise((r) => setTimeout(r, 0));

/** A run starts: its summary, then its first tree as one snapshot message (seq 0). */
function startRun(fake: ReturnType<typeof fakeApi>, runId: string, start: TreeState) {
  fake.emit('runStarted', summary(runId));
  fake.emit('runPatches', { runId, seq: 0, patches: [{ op: 'replace', path: [], value: structuredClone(start) }] });
}

describe('RunStore', () => {
  it('builds each run from its patch stream and tells the view which run changed', async () => {
    const fake = fakeApi(new Map());
    const changes: (string | undefined)[] = [];
    const store = new RunStore(fake.api, (id) => changes.push(id));
    await store.attach();
    const { start, batches, final } = growTree(8, 5);
    startRun(fake, 'r1', start);
    batches.forEach((patches, i) =>
      fake.emit('runPatches', { runId: 'r1', seq: i + 1, patches: structuredClone(patches) }),
    );
    fake.emit('runProgress', { runId: 'r1', fraction: 0.5, message: 'half' });
    await store.applied();
    expect(store.runs.get('r1')!.live.tree).toEqual(final);
    expect(store.runs.get('r1')!.progress).toEqual({ fraction: 0.5, message: 'half' });
    fake.emit('runFinished', summary('r1', 'done'));
    expect(store.runs.get('r1')!.summary.state).toBe('done');
    expect(store.runs.get('r1')!.progress).toBeNull();
    expect(changes).toContain('r1');
    expect(changes).toContain(undefined);
    fake.emit('runRemoved', { runId: 'r1' });
    expect(store.list()).toEqual([]);
  });

  it('fetches a snapshot after a missed message and replays what arrived meanwhile', async () => {
    const { start, batches, final } = growTree(12, 9);
    // the main process's state after message 4 (root replace + 4 batches)
    let atFour: TreeState = structuredClone(start);
    const { applyPatchesInPlace } = await import('../../src/shared/tree-sync');
    for (const b of batches.slice(0, 4)) atFour = applyPatchesInPlace(atFour, structuredClone(b)).value;
    const fake = fakeApi(new Map([['r1', { tree: atFour, seq: 4 }]]));
    const store = new RunStore(fake.api, () => {});
    await store.attach();
    fake.emit('runStarted', summary('r1'));
    const send = (seq: number, patches: Patch[]) =>
      fake.emit('runPatches', { runId: 'r1', seq, patches: structuredClone(patches) });
    send(0, [{ op: 'replace', path: [], value: structuredClone(start) }]);
    send(1, batches[0]!);
    fake.hold();
    send(3, batches[2]!); // message 2 was lost: resync starts and waits on the gate
    for (let seq = 4; seq <= batches.length; seq++) send(seq, batches[seq - 1]!);
    fake.release();
    await settle();
    await settle();
    expect(fake.calls.filter((c) => c === 'getTree')).toHaveLength(1);
    expect(store.runs.get('r1')!.live.tree).toEqual(final);
    expect(store.runs.get('r1')!.live.seq).toBe(batches.length);
  });

  it('loads the runs that already exist when a page (re)connects', async () => {
    const { final } = growTree(4, 2);
    const fake = fakeApi(new Map([['old', { tree: final, seq: 7 }]]), [summary('old', 'done')]);
    const store = new RunStore(fake.api, () => {});
    await store.attach();
    expect(store.list().map((e) => e.summary.runId)).toEqual(['old']);
    expect(store.runs.get('old')!.live.tree).toEqual(final);
    expect(store.runs.get('old')!.live.seq).toBe(7);
  });

  it('shows a cancelled run as cancelled at once, drops its queued patches, then takes the final tree in one snapshot', async () => {
    const { start, batches, final } = growTree(12, 21);
    const fake = fakeApi(new Map([['r1', { tree: final, seq: batches.length }]]));
    const store = new RunStore(fake.api, () => {});
    await store.attach();
    startRun(fake, 'r1', start);
    fake.emit('runPatches', { runId: 'r1', seq: 1, patches: structuredClone(batches[0]!) });
    await store.applied();
    store.markCancelled('r1');
    expect(store.runs.get('r1')!.summary.state).toBe('cancelled');
    const held = store.runs.get('r1')!.live.size;
    for (let seq = 2; seq <= batches.length; seq++)
      fake.emit('runPatches', { runId: 'r1', seq, patches: structuredClone(batches[seq - 1]!) });
    await store.applied();
    expect(store.runs.get('r1')!.live.size).toBe(held);
    expect(fake.calls.filter((c) => c === 'getTree')).toHaveLength(0);
    fake.emit('runFinished', summary('r1', 'cancelled'));
    await settle();
    await settle();
    expect(fake.calls.filter((c) => c === 'getTree')).toHaveLength(1);
    expect(store.runs.get('r1')!.live.tree).toEqual(final);
    expect(store.runs.get('r1')!.summary.state).toBe('cancelled');
  });

  it('applies queued messages in later tasks, so a cancel in between drops what still waits', async () => {
    const { start, batches } = growTree(12, 33);
    const fake = fakeApi(new Map());
    const tasks: (() => void)[] = [];
    const changes: (string | undefined)[] = [];
    const store = new RunStore(
      fake.api,
      (id) => changes.push(id),
      (task) => tasks.push(task),
    );
    await store.attach();
    startRun(fake, 'r1', start);
    for (let seq = 1; seq <= batches.length; seq++)
      fake.emit('runPatches', { runId: 'r1', seq, patches: structuredClone(batches[seq - 1]!) });
    // nothing is applied while the messages arrive: one task is scheduled for all of them
    expect(store.runs.get('r1')!.live.seq).toBe(-1);
    expect(tasks).toHaveLength(1);
    store.markCancelled('r1');
    tasks.shift()!();
    expect(store.runs.get('r1')!.live.seq).toBe(-1);
    expect(store.runs.get('r1')!.summary.state).toBe('cancelled');
    expect(changes.filter((c) => c === 'r1')).toEqual([]);
    // another run's messages still apply, with one change notice for the whole slice
    startRun(fake, 'r2', start);
    fake.emit('runPatches', { runId: 'r2', seq: 1, patches: structuredClone(batches[0]!) });
    while (tasks.length > 0) tasks.shift()!();
    expect(store.runs.get('r2')!.live.seq).toBe(1);
    expect(changes.filter((c) => c === 'r2')).toEqual(['r2']);
  });
});
