import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { LabEventListener } from '../host/lab-service';
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
export const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;

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
    const url = parseUrl(req.url);
    if (!url) return deny(res, 400, 'bad request');
    if (req.method !== 'GET') return deny(res, 405, 'method not allowed');
    const found = resolveStatic(rendererDir, url.pathname);
    // The page itself needs the token (its script reads it from the address); assets are the public build.
    // Decided on the resolved file, not the raw path: `/%69ndex.html` and `/index.html/` are the page too.
    if (found?.isPage && !tokenMatches(url.searchParams.get('token'), token)) {
      return deny(res, 403, 'open the address printed by `npm run serve` (it carries the access token)');
    }
    if (!found) return deny(res, 404, 'not found');
    res.writeHead(200, {
      'content-type': found.type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const stream = fs.createReadStream(found.file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  });
  // A malformed HTTP request or a reset connection must never take the server down.
  server.on('clientError', (_err, socket) => socket.destroy());

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
  });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = parseUrl(req.url);
    const origin = req.headers.origin;
    const sameOrigin = origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
    if (
      !url ||
      url.pathname !== '/api' ||
      !allowedHosts().has(req.headers.host ?? '') ||
      !sameOrigin ||
      !tokenMatches(url.searchParams.get('token'), token)
    ) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => connect(ws, options.service));
  });
  wss.on('error', () => {});

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

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function connect(ws: WebSocket, service: LabEndpoint): void {
  const send = (message: WireMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const unsubscribe = service.on((event, payload) => send({ event, payload }));
  ws.on('close', unsubscribe);
  // A protocol violation (invalid UTF-8, RSV bits, unmasked frame, reserved opcode or close code, a payload over
  // maxPayload) is emitted here; ws has already closed this socket with the right close code. Without a
  // listener the 'error' event would throw and end the whole process, other clients and their runs with it.
  ws.on('error', () => ws.terminate());
  ws.on('message', async (data, isBinary) => {
    let request: WireRequest;
    try {
      // ws checks text frames' UTF-8; a binary frame is decoded strictly too, never with U+FFFD replacements
      request = JSON.parse(isBinary ? strictUtf8.decode(data as Buffer) : data.toString());
      if (typeof request !== 'object' || request === null || typeof request.id !== 'number')
        throw new Error('bad frame');
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

/** The request target as a URL; the Host header is checked on its own, so a fixed base is enough. */
function parseUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
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
