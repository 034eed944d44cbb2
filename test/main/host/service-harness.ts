import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyPatches, enablePatches } from 'immer';
import { LabService } from '../../../src/main/host/lab-service';
import { forkSpawner } from '../../../src/main/engine-link/spawn';
import type { LabEventName, LabEvents } from '../../../src/shared/lab-api';
import type { TreeState } from '../../../src/shared/tree';

enablePatches();

export const ENGINE_CHILD = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../src/main/engine-process/engine-child.ts',
);

export type Recorded = { [E in LabEventName]: { event: E; payload: LabEvents[E]; at: number } }[LabEventName];

/** A LabService over a real forked engine, recording every event it emits. */
export function startService(options: { cancelGraceMs?: number } = {}) {
  const service = new LabService({ spawn: forkSpawner(ENGINE_CHILD), ...options });
  const events: Recorded[] = [];
  service.on((event, payload) => events.push({ event, payload, at: performance.now() } as Recorded));
  return { service, events };
}

export function waitFor<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      const value = check();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

export function finished(events: Recorded[], runId: string) {
  return waitFor(() => {
    const e = events.find((r) => r.event === 'runFinished' && r.payload.runId === runId);
    return e ? (e.payload as LabEvents['runFinished']) : undefined;
  }, 60_000);
}

/** The tree a subscriber builds from the run's patch messages alone, checking they arrive in order. */
export function treeFromEvents(events: Recorded[], runId: string): TreeState {
  let tree = undefined as unknown as TreeState;
  let expected = 0;
  for (const r of events) {
    if (r.event !== 'runPatches' || r.payload.runId !== runId) continue;
    if (r.payload.seq !== expected++) throw new Error(`patch message ${r.payload.seq} out of order`);
    tree = applyPatches(tree ?? ({} as TreeState), r.payload.patches);
  }
  return tree;
}
