import type { ChildHandle, Spawner } from '../engine-link/spawn';
import type { EngineCall, EngineCallResults, EngineToHost, HostToEngine } from '../engine-link/protocol';

export type RunMessage = Exclude<EngineToHost, { type: 'ready' } | { type: 'callResult' }>;

export interface EngineSupervisorEvents {
  onRunMessage(message: RunMessage): void;
  /** the process died unexpectedly; every call in flight has been rejected */
  onCrash(reason: string): void;
  onRestarted(): void;
}

/** More crashes than this within `CRASH_WINDOW_MS` and the host stops restarting (a crash loop helps no one). */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * The host side of the engine process: starts it, queues messages until it is ready, matches call
 * results to their callers, and restarts it after a crash (or when asked to, e.g. when a cancel does
 * not take effect).
 */
export class EngineSupervisor {
  private child: ChildHandle | null = null;
  private ready = false;
  private queue: HostToEngine[] = [];
  private readonly calls = new Map<number, PendingCall>();
  private nextCallId = 1;
  private crashes: number[] = [];
  private stopped = false;
  private gaveUp = false;

  constructor(
    private readonly spawn: Spawner,
    private readonly events: EngineSupervisorEvents,
  ) {}

  start(): void {
    if (this.child || this.stopped || this.gaveUp) return;
    const child = this.spawn();
    this.child = child;
    this.ready = false;
    child.onMessage((message) => {
      if (this.child !== child) return;
      if (message.type === 'ready') {
        this.ready = true;
        for (const queued of this.queue.splice(0)) child.send(queued);
      } else if (message.type === 'callResult') {
        const pending = this.calls.get(message.callId);
        this.calls.delete(message.callId);
        if (message.ok) pending?.resolve(message.value);
        else pending?.reject(new Error(message.message));
      } else this.events.onRunMessage(message);
    });
    child.onExit((reason) => {
      if (this.child !== child) return;
      this.child = null;
      this.lost(reason);
    });
  }

  call<C extends EngineCall>(call: C): Promise<EngineCallResults[C['kind']]> {
    this.start();
    if (!this.child) return Promise.reject(new Error(this.stoppedMessage()));
    const callId = this.nextCallId++;
    return new Promise((resolve, reject) => {
      this.calls.set(callId, { resolve: resolve as (v: unknown) => void, reject });
      this.send({ type: 'call', callId, call });
    });
  }

  send(message: HostToEngine): void {
    this.start();
    if (!this.child) throw new Error(this.stoppedMessage());
    if (this.ready) this.child.send(message);
    else this.queue.push(message);
  }

  /** Kills the process on purpose (last resort for a step that never ends) and starts a fresh one. */
  restart(reason: string): void {
    const child = this.child;
    if (!child) return this.start();
    this.child = null;
    child.kill();
    this.lost(reason, true);
  }

  /**
   * The researcher's "Restart engine": after the host gave up on a crash loop, or to get a stuck engine back.
   * The crash history is forgotten, so the next crashes are counted afresh.
   */
  restartByUser(): void {
    this.crashes = [];
    this.gaveUp = false;
    if (this.child) this.restart('restarted by the user');
    else this.start();
  }

  stop(): void {
    this.stopped = true;
    const child = this.child;
    this.child = null;
    child?.kill();
    this.rejectAll('the engine was shut down');
  }

  private lost(reason: string, deliberate = false): void {
    this.ready = false;
    this.queue = [];
    this.rejectAll(`the engine process stopped (${reason})`);
    this.events.onCrash(reason);
    if (this.stopped) return;
    const now = Date.now();
    this.crashes = this.crashes.filter((t) => now - t < CRASH_WINDOW_MS);
    if (!deliberate) this.crashes.push(now);
    if (this.crashes.length >= MAX_CRASHES) {
      this.gaveUp = true;
      return;
    }
    this.start();
    this.events.onRestarted();
  }

  private rejectAll(message: string): void {
    for (const pending of this.calls.values()) pending.reject(new Error(message));
    this.calls.clear();
  }

  private stoppedMessage(): string {
    return this.stopped
      ? 'the engine was shut down'
      : `the engine process crashed ${MAX_CRASHES} times within a minute and was not restarted automatically; use "Restart engine" to try again`;
  }
}
