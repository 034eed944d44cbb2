import { afterAll, describe, expect, it, vi } from 'vitest';

// The Electron main-process API is not available under Node: ipcMain is replaced by a recorder.
const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, handler: (...args: unknown[]) => Promise<unknown>) => handlers.set(channel, handler),
    removeHandler: (channel: string) => handlers.delete(channel),
  },
}));

const { registerLabIpc } = await import('../../../src/main/app/ipc');
const { REQUEST_CHANNEL, EVENT_CHANNEL } = await import('../../../src/main/app/channels');
const { LabService } = await import('../../../src/main/host/lab-service');
const { forkSpawner } = await import('../../../src/main/engine-link/spawn');
const { ENGINE_CHILD } = await import('../host/service-harness');

const APP_URL = 'file:///opt/lattice/out/renderer/index.html';
const service = new LabService({ spawn: forkSpawner(ENGINE_CHILD) });
const sent: unknown[][] = [];
const webContents = { send: (...args: unknown[]) => sent.push(args) };
const window = { webContents, isDestroyed: () => false } as never;
const unregister = registerLabIpc(service, window, APP_URL);
afterAll(() => {
  unregister();
  service.dispose();
});

const topFrame = (url: string) => ({ url, parent: null });
const invoke = (event: unknown, name: unknown, params: unknown) => handlers.get(REQUEST_CHANNEL)!(event, name, params);

describe('Electron IPC registration', () => {
  it('answers our own top frame with the service result in an envelope', async () => {
    const reply = await invoke({ sender: webContents, senderFrame: topFrame(APP_URL) }, 'listRuns', {});
    expect(reply).toEqual({ ok: true, value: [] });
  });

  it('refuses other pages, subframes and other windows before anything runs', async () => {
    const refused = { ok: false, message: expect.stringMatching(/refused/) };
    expect(
      await invoke({ sender: webContents, senderFrame: topFrame('https://evil.example/') }, 'listRuns', {}),
    ).toEqual(refused);
    expect(await invoke({ sender: webContents, senderFrame: { url: APP_URL, parent: {} } }, 'listRuns', {})).toEqual(
      refused,
    );
    expect(await invoke({ sender: { send() {} }, senderFrame: topFrame(APP_URL) }, 'listRuns', {})).toEqual(refused);
    expect(await invoke({ sender: webContents, senderFrame: null }, 'listRuns', {})).toEqual(refused);
  });

  it('validates every payload and names what is wrong', async () => {
    const trusted = { sender: webContents, senderFrame: topFrame(APP_URL) };
    expect(await invoke(trusted, 'startRun', { prompt: 3, config: { strategy: 'greedy' } })).toEqual({
      ok: false,
      message: expect.stringMatching(/^startRun: prompt/),
    });
    expect(await invoke(trusted, '__proto__', {})).toEqual({
      ok: false,
      message: expect.stringMatching(/unknown request/),
    });
    expect(await invoke(trusted, 'cancelRun', { runId: 'x'.repeat(65) })).toMatchObject({ ok: false });
  });

  it('forwards the service events to the window', async () => {
    // an import that succeeds emits runStarted / runPatches / runFinished to the page
    const exported = {
      format: 'lattice-lab',
      version: 1,
      createdAt: '2026-01-01T00:00:00Z',
      model: { name: 'm', convention: 'lab', vocabSize: 8, numLayers: 1 },
      prompt: 'p',
      runs: [
        {
          id: 'r',
          strategy: 'greedy',
          config: { strategy: 'greedy', maxNewTokens: 1, topkShown: 0 },
          stats: {
            nodesCreated: 1,
            nodesExpanded: 0,
            nodesPruned: 0,
            nodesMerged: 0,
            forwardPasses: 0,
            tokensEvaluated: 0,
            wallTimeMs: 0,
            peakKvBytes: 0,
            coveredMass: 0,
          },
          result: { bestText: '', bestScore: null, nBest: [], cancelled: false },
          nodes: [
            {
              id: 0,
              parents: [],
              kind: 'prompt',
              tokenId: null,
              text: 'p',
              logprob: 0,
              score: 0,
              depth: 0,
              status: 'expanded',
            },
          ],
        },
      ],
    };
    await invoke({ sender: webContents, senderFrame: topFrame(APP_URL) }, 'importComparison', { file: exported });
    expect(sent.map((args) => [args[0], args[1]])).toEqual([
      [EVENT_CHANNEL, 'runStarted'],
      [EVENT_CHANNEL, 'runPatches'],
      [EVENT_CHANNEL, 'runFinished'],
    ]);
  });
});
