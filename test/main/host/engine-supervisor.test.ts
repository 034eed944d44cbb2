import { describe, expect, it } from 'vitest';
import { EngineSupervisor } from '../../../src/main/host/engine-supervisor';
import type { ChildHandle } from '../../../src/main/engine-link/spawn';
import type { EngineToHost, HostToEngine } from '../../../src/main/engine-link/protocol';

/** A scripted child: answers `openModel` calls, and can be made to die. */
class FakeChild implements ChildHandle {
  sent: HostToEngine[] = [];
  private message: (m: EngineToHost) => void = () => {};
  private exit: (reason: string) => void = () => {};
  killed = false;
  send(m: HostToEngine) {
    this.sent.push(m);
  }
  onMessage(l: (m: EngineToHost) => void) {
    this.message = l;
  }
  onExit(l: (reason: string) => void) {
    this.exit = l;
  }
  kill() {
    this.killed = true;
  }
  emit(m: EngineToHost) {
    this.message(m);
  }
  die(reason = 'signal SIGSEGV') {
    this.exit(reason);
  }
}

function harness() {
  const children: FakeChild[] = [];
  const log: string[] = [];
  const engine = new EngineSupervisor(
    () => {
      const child = new FakeChild();
      children.push(child);
      return child;
    },
    {
      onRunMessage: (m) => log.push(m.type),
      onCrash: (r) => log.push(`crash ${r}`),
      onRestarted: () => log.push('restarted'),
    },
  );
  return { engine, children, log };
}

describe('EngineSupervisor', () => {
  it('queues messages until the child is ready and matches results to calls', async () => {
    const { engine, children } = harness();
    const result = engine.call({ kind: 'openModel', folder: '/m' });
    expect(children[0]!.sent).toHaveLength(0);
    children[0]!.emit({ type: 'ready' });
    const sent = children[0]!.sent[0] as Extract<HostToEngine, { type: 'call' }>;
    children[0]!.emit({ type: 'callResult', callId: sent.callId, ok: false, message: 'config.json: file not found' });
    await expect(result).rejects.toThrow('config.json: file not found');
  });

  it('after a crash rejects calls in flight, reports it, and starts a fresh child', async () => {
    const { engine, children, log } = harness();
    engine.start();
    children[0]!.emit({ type: 'ready' });
    const pending = engine.call({ kind: 'openModel', folder: '/m' });
    children[0]!.die();
    await expect(pending).rejects.toThrow(/engine process stopped \(signal SIGSEGV\)/);
    expect(log).toEqual(['crash signal SIGSEGV', 'restarted']);
    expect(children).toHaveLength(2);
    // messages from the dead child no longer count
    children[0]!.emit({ type: 'runDone' } as EngineToHost);
    expect(log).toHaveLength(2);
  });

  it('gives up after repeated crashes instead of looping', async () => {
    const { engine, children } = harness();
    engine.start();
    for (let i = 0; i < 5; i++) children[children.length - 1]!.die();
    expect(children).toHaveLength(5);
    await expect(engine.call({ kind: 'openModel', folder: '/m' })).rejects.toThrow(/crashed 5 times/);
  });

  it('restarts on request (a cancel that did not take effect) without counting it as a crash', () => {
    const { engine, children, log } = harness();
    engine.start();
    for (let i = 0; i < 6; i++) engine.restart('cancel timeout');
    expect(children.slice(0, 6).every((c) => c.killed)).toBe(true);
    expect(children).toHaveLength(7);
    expect(log.filter((l) => l === 'restarted')).toHaveLength(6);
  });
});

describe('EngineSupervisor restart by the user', () => {
  it('after giving up on a crash loop, "Restart engine" brings a fresh child and counts crashes afresh', async () => {
    const { engine, children } = harness();
    engine.start();
    for (let i = 0; i < 5; i++) children[children.length - 1]!.die();
    await expect(engine.call({ kind: 'openModel', folder: '/m' })).rejects.toThrow(/use "Restart engine"/);
    expect(children).toHaveLength(5);
    engine.restartByUser();
    expect(children).toHaveLength(6);
    const child = children[5]!;
    child.emit({ type: 'ready' });
    const result = engine.call({ kind: 'openModel', folder: '/m' });
    const sent = child.sent[0] as Extract<HostToEngine, { type: 'call' }>;
    child.emit({ type: 'callResult', callId: sent.callId, ok: true, value: { name: 'm' } });
    await expect(result).resolves.toEqual({ name: 'm' });
    // four more crashes are still restarted automatically: the history was cleared
    for (let i = 0; i < 4; i++) children[children.length - 1]!.die();
    expect(children).toHaveLength(10);
  });
});
