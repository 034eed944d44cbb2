import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServeServer, type ServeHandle } from '../../../src/main/serve/serve-server';
import { LabService } from '../../../src/main/host/lab-service';
import { forkSpawner } from '../../../src/main/engine-link/spawn';
import { ENGINE_CHILD } from '../host/service-harness';
import { fixturePath } from '../../helpers/fixtures';
import { ask } from './ws-ask';

let dir: string;
let service: LabService;
let handle: ServeHandle;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-serve-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>lab</title>');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(os.tmpdir(), 'lattice-secret.txt'), 'secret');
  fs.symlinkSync(path.join(os.tmpdir(), 'lattice-secret.txt'), path.join(dir, 'assets', 'linked.js'));
  fs.symlinkSync(os.tmpdir(), path.join(dir, 'assets', 'tmp'));
  service = new LabService({ spawn: forkSpawner(ENGINE_CHILD) });
  handle = await startServeServer({ service, rendererDir: dir });
});

afterAll(async () => {
  await handle?.close();
  service?.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A raw GET with chosen headers (fetch forbids setting Host). */
function get(
  urlPath: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; type?: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: handle.port,
        path: urlPath,
        headers: { host: `127.0.0.1:${handle.port}`, ...headers },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
      },
    );
    req.on('error', reject);
  });
}

function socket(token: string, origin = `http://127.0.0.1:${handle.port}`): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${handle.port}/api?token=${token}`, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('serve mode server', () => {
  it('binds to 127.0.0.1 and prints an address carrying a long random token', () => {
    expect(handle.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
  });

  it('serves the page only with the token, assets without, and nothing outside the build', async () => {
    expect((await get('/')).status).toBe(403);
    expect((await get(`/?token=${handle.token}x`)).status).toBe(403);
    const page = await get(`/?token=${handle.token}`);
    expect(page.status).toBe(200);
    expect(page.type).toContain('text/html');
    expect((await get('/assets/app.js')).type).toContain('text/javascript');
    expect((await get('/../lattice-secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e/lattice-secret.txt')).status).toBe(404);
    expect((await get('/%2e%2e%2flattice-secret.txt')).status).toBe(404);
  });

  it('decides on the normalised path: encoded or trailing-slash names of the page need the token too', async () => {
    for (const variant of ['/%69ndex.html', '/index.html/', '/assets/../index.html', '//index.html', '/./index.html']) {
      expect([variant, (await get(variant)).status]).toEqual([variant, 403]);
      expect([variant, (await get(`${variant}?token=${handle.token}`)).status]).toEqual([variant, 200]);
    }
  });

  it('follows no symlink out of the renderer folder', async () => {
    expect((await get('/assets/linked.js')).status).toBe(404);
    expect((await get('/assets/tmp/lattice-secret.txt')).status).toBe(404);
    expect((await get('/assets/app.js')).status).toBe(200);
  });

  it('refuses requests naming another host (DNS rebinding)', async () => {
    expect((await get(`/?token=${handle.token}`, { host: `evil.example:${handle.port}` })).status).toBe(421);
  });

  it('opens the API only with the token and from its own origin', async () => {
    await expect(socket('wrong')).rejects.toThrow(/403/);
    await expect(socket(handle.token, 'http://evil.example')).rejects.toThrow(/403/);
    const ws = await socket(handle.token);
    ws.close();
  });

  it('answers requests, reports invalid ones by name, and pushes events', async () => {
    const ws = await socket(handle.token);
    const events: any[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.event) events.push(m);
    });
    const opened = await ask(ws, 1, 'openModel', { folder: fixturePath('lab-tiny') });
    expect(opened).toMatchObject({ id: 1, ok: true, value: { vocabSize: 8 } });
    expect(await ask(ws, 2, 'startRun', { prompt: 'a', config: { strategy: 'nope' } })).toMatchObject({
      id: 2,
      ok: false,
    });
    expect((await ask(ws, 3, 'rm -rf', {})).message).toMatch(/unknown request/);
    const started = await ask(ws, 4, 'startRun', { prompt: 'a', config: { strategy: 'greedy', maxNewTokens: 3 } });
    expect(started.ok).toBe(true);
    const deadline = Date.now() + 20_000;
    while (!events.some((e) => e.event === 'runFinished') && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['runStarted', 'runPatches', 'runFinished']));
    ws.close();
  });
});
