import * as net from 'node:net';
import * as path from 'node:path';
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ask } from './ws-ask';

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'serve-child.ts');

let child: ChildProcess;
let port: number;
let token: string;
let bystander: WebSocket;
let exited: string | null = null;

beforeAll(async () => {
  child = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.once('exit', (code, signal) => (exited = `exit ${code} ${signal}`));
  const first = await new Promise<string>((resolve) => {
    let buffered = '';
    child.stdout!.on('data', (chunk) => {
      buffered += chunk;
      if (buffered.includes('\n')) resolve(buffered.split('\n')[0]);
    });
  });
  ({ port, token } = JSON.parse(first));
  bystander = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { origin: `http://127.0.0.1:${port}` });
  await new Promise((resolve, reject) => {
    bystander.once('open', resolve);
    bystander.once('error', reject);
  });
});

afterAll(() => {
  bystander?.terminate();
  child?.kill('SIGKILL');
});

let nextId = 1;
/** A ping through the echoing endpoint: the reply proves the connection and the server are alive. */
function ping(ws: WebSocket): Promise<any> {
  const id = nextId++;
  return ask(ws, id, 'ping', { id });
}

/** A raw TCP connection after a valid WebSocket handshake. */
async function handshake(): Promise<net.Socket> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(
    [
      `GET /api?token=${token} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      `Origin: http://127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
      'Sec-WebSocket-Version: 13',
      '',
      '',
    ].join('\r\n'),
  );
  const head = await new Promise<string>((resolve) => {
    let got = '';
    const onData = (chunk: Buffer) => {
      got += chunk.toString('latin1');
      if (got.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(got);
      }
    };
    socket.on('data', onData);
  });
  expect(head).toMatch(/^HTTP\/1\.1 101/);
  return socket;
}

/** A client frame: first byte (FIN, RSV, opcode), payload masked unless `masked` is false. */
function frame(first: number, payload: Buffer, masked = true): Buffer {
  const mask = randomBytes(4);
  const body = masked ? Buffer.from(payload.map((b, i) => b ^ mask[i % 4])) : payload;
  return Buffer.concat([
    Buffer.from([first, (masked ? 0x80 : 0) | payload.length]),
    masked ? mask : Buffer.alloc(0),
    body,
  ]);
}

/** The server's answer until it closes the connection: the close code of its close frame, if any. */
function closeCode(socket: net.Socket): Promise<number | null> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    socket.on('data', (chunk) => (got = Buffer.concat([got, chunk])));
    socket.on('error', () => {});
    socket.once('close', () => resolve(got.length >= 4 && (got[0] & 0x0f) === 0x8 ? got.readUInt16BE(2) : null));
  });
}

const MALFORMED: { name: string; bytes: () => Buffer; code: number }[] = [
  {
    name: 'a text frame with invalid UTF-8 (7b ff fe 7d)',
    bytes: () => frame(0x81, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    code: 1007,
  },
  { name: 'RSV bits set', bytes: () => frame(0xf1, Buffer.from('{}')), code: 1002 },
  { name: 'an unmasked client frame', bytes: () => frame(0x81, Buffer.from('{}'), false), code: 1002 },
  { name: 'opcode 3 (reserved)', bytes: () => frame(0x83, Buffer.from('{}')), code: 1002 },
  { name: 'close code 999', bytes: () => frame(0x88, Buffer.from([0x03, 0xe7])), code: 1002 },
  {
    name: 'a header declaring a 300 MiB payload',
    bytes: () => {
      const header = Buffer.alloc(14);
      header[0] = 0x82;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(300n * 1024n * 1024n, 2);
      randomBytes(4).copy(header, 10);
      return header;
    },
    code: 1009,
  },
];

describe('serve survives malformed WebSocket frames', () => {
  for (const { name, bytes, code } of MALFORMED) {
    it(`${name}: that client is closed with ${code}, the server and other clients carry on`, async () => {
      const socket = await handshake();
      const closed = closeCode(socket);
      socket.write(bytes());
      expect(await closed).toBe(code);
      expect(exited).toBeNull();
      expect(await ping(bystander)).toMatchObject({ ok: true, value: { name: 'ping' } });
    });
  }

  it('survives all six in a burst on parallel connections and still accepts new clients', async () => {
    const sockets = await Promise.all(MALFORMED.map(() => handshake()));
    const closed = sockets.map(closeCode);
    sockets.forEach((socket, i) => socket.write(MALFORMED[i].bytes()));
    expect(await Promise.all(closed)).toEqual(MALFORMED.map((m) => m.code));
    const fresh = new WebSocket(`ws://127.0.0.1:${port}/api?token=${token}`, { origin: `http://127.0.0.1:${port}` });
    await new Promise((resolve) => fresh.once('open', resolve));
    expect(await ping(fresh)).toMatchObject({ ok: true });
    fresh.close();
    expect(await ping(bystander)).toMatchObject({ ok: true });
    expect(exited).toBeNull();
  });

  it('refuses a binary frame of invalid UTF-8 as a malformed request instead of decoding it with replacements', async () => {
    const reply = new Promise<any>((resolve) => bystander.once('message', (data) => resolve(JSON.parse(String(data)))));
    bystander.send(Buffer.from(`{"id":77,"name":"ping","params":"\xff"}`, 'latin1'), { binary: true });
    expect(await reply).toEqual({ id: -1, ok: false, message: 'malformed request frame' });
    const valid = new Promise<any>((resolve) => bystander.once('message', (data) => resolve(JSON.parse(String(data)))));
    bystander.send(Buffer.from('{"id":78,"name":"ping","params":"é"}'), { binary: true });
    expect(await valid).toMatchObject({ id: 78, ok: true, value: { params: 'é' } });
  });

  it('survives garbage instead of an HTTP request and a bad upgrade target', async () => {
    for (const garbage of [
      '\x00\xff\r\n\r\n',
      `GET http://[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
    ]) {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('error', () => {});
      socket.resume();
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(garbage);
      await new Promise((resolve) => socket.once('close', resolve));
    }
    expect(await ping(bystander)).toMatchObject({ ok: true });
    expect(exited).toBeNull();
  });
});
