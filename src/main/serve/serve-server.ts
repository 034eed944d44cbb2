import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabEventListener } from '../engine-host/lab-service';
import type { WireMessage, WireRequest } from './wire';
import { resolveStatic } from './static-files';

/** What the server needs of the lab: the LabService, or a stand-in (the renderer benchmark feeds synthetic trees). */
export interface LabEndpoint {
  request(name: unknown, params: unknown): Promise<unknown>;
  on(listener: LabEventListener): () => void;
}

export interface ServeOptions {
  service: LabEndpoint;
  /** the built renderer (out/renderer) */
  rendererDir: string;
  port?: number;
}

export interface ServeHandle {
  /** the address to open, token included */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Largest request accepted over the socket: an imported comparison file can be large, not unbounded. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

/**
 * Serves the built renderer and the LabApi over a WebSocket on 127.0.0.1 only. The API needs the
 * random token from the printed URL, and the Host and Origin headers must name this server, so other
 * local users' pages (or DNS rebinding) cannot drive the engine.
 */
export async function startServeServer(options: ServeOptions): Promise<ServeHandle> {
  const token = randomBytes(24).toString('base64url');
  const rendererDir = path.resolve(options.rendererDir);
  if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
    throw new Error(`no built renderer in ${rendererDir}; run \`npx electron-vite build\` first`);
  }
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  const server = http.createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) return deny(res, 421, 'wrong host');
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (req.method !== 'GET') return deny(res, 405, 'method not allowed');
    // The page itself needs the token (its script reads it from the address); assets are the public build.
    if (url.pathname === '/' || url.pathname === '/index.html') {
      if (!tokenMatches(url.searchParams.get('token'), token)) return deny(res, 403, 'open the address printed by `npm run serve` (it carries the access token)');
    }
    const found = resolveStatic(rendererDir, url.pathname);
    if (!found) return deny(res, 404, 'not found');
    res.writeHead(200, { 'content-type': found.type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    fs.createReadStream(found.file).pipe(res);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
  });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = req.headers.origin;
    const sameOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (url.pathname !== '/api' || !allowedHosts().has(req.headers.host ?? '') || !sameOrigin || !tokenMatches(url.searchParams.get('token'), token)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, options.service));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function connect(ws: WebSocket, service: LabEndpoint): void {
  const send = (message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = service.on((event, payload) => send({ event, payload }));
  ws.on('close', unsubscribe);
  ws.on('message', async (data) => {
    let request: WireRequest;
    try {
      request = JSON.parse(data.toString());
      if (typeof request !== 'object' || request === null || typeof request.id !== 'number') throw new Error('bad frame');
    } catch {
      return send({ id: -1, ok: false, message: 'malformed request frame' });
    }
    try {
      send({ id: request.id, ok: true, value: await service.request(request.name, request.params) });
    } catch (err) {
      send({ id: request.id, ok: false, message: err instanceof Error ? err.message : String(err) });
    }
  });
}

function tokenMatches(given: string | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function deny(res: http.ServerResponse, status: number, message: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(message);
}
