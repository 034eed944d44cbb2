import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import WebSocket from 'ws';
import type { LabParams, LabRequestName, LabResult } from '../../src/shared/lab-api';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test', 'artifacts');
export const CHROMIUM = process.env.LATTICE_LAB_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Builds main, preload and renderer exactly as `npm start` would (electron-vite build), once per test run:
 * the test files run in parallel workers, and two builds writing `out/` at once break each other's serve.
 * The first worker builds; the others (children of the same vitest process) wait for its result.
 */
export function buildApp(): void {
  const marker = path.join(os.tmpdir(), `lattice-lab-build-${process.ppid}`);
  const build = () =>
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'],
      {
        cwd: ROOT,
        stdio: 'pipe',
      },
    );
  try {
    fs.mkdirSync(marker);
  } catch {
    waitForBuild(marker);
    return;
  }
  try {
    build();
    fs.writeFileSync(path.join(marker, 'done'), '');
  } catch (error) {
    fs.writeFileSync(path.join(marker, 'failed'), String(error));
    throw error;
  }
}

function waitForBuild(marker: string): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if (fs.existsSync(path.join(marker, 'done'))) return;
    if (fs.existsSync(path.join(marker, 'failed'))) {
      throw new Error(
        `the app build failed in another test file: ${fs.readFileSync(path.join(marker, 'failed'), 'utf8')}`,
      );
    }
    Atomics.wait(sleeper, 0, 0, 200);
  }
  throw new Error('timed out waiting for the app build of another test file');
}

export interface ServeProcess {
  url: string;
  port: number;
  token: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built `serve` bundle (`node out/main/serve.js`) and waits for the address it prints. */
export function startServe(env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'out', 'main', 'serve.js')], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Never outlive the test process, even when it ends abruptly.
  const killChild = () => child.kill('SIGTERM');
  process.once('exit', killChild);
  child.once('exit', () => process.off('exit', killChild));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('serve did not print its address within 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`serve exited with code ${code}`)));
    child.stdout!.on('data', (chunk) => {
      const match = /serving at (http:\/\/127\.0\.0\.1:(\d+)\/\?token=(\S+))/.exec(String(chunk));
      if (!match) return;
      clearTimeout(timer);
      resolve({
        url: match[1]!,
        port: Number(match[2]),
        token: match[3]!,
        process: child,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-lab-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1400, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** A second LabApi client (the test's own view of the engine), over the same WebSocket protocol. */
export async function apiClient(serve: ServeProcess) {
  const socket = new WebSocket(`ws://127.0.0.1:${serve.port}/api?token=${serve.token}`, {
    origin: `http://127.0.0.1:${serve.port}`,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, (m: { ok: boolean; value?: unknown; message?: string }) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (typeof message.id === 'number') pending.get(message.id)?.(message);
  });
  return {
    request<N extends LabRequestName>(name: N, params: LabParams<N>): Promise<LabResult<N>> {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, (m) => (m.ok ? resolve(m.value as LabResult<N>) : reject(new Error(m.message))));
        socket.send(JSON.stringify({ id, name, params }));
      });
    },
    close: () => socket.close(),
  };
}

export interface LabSession {
  serve: ServeProcess;
  browser: Awaited<ReturnType<typeof launchChromium>>;
  page: Page;
  api: Awaited<ReturnType<typeof apiClient>>;
}

/**
 * One browser test file's lab: the app built (once per test run), `serve` started with `env`, a Chromium page
 * whose uncaught errors and console errors land in `pageErrors`, and a LabApi client on the same server.
 */
export async function openLab(env: Record<string, string>, pageErrors: string[]): Promise<LabSession> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  buildApp();
  const serve = await startServe(env);
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
  return { serve, browser, page, api: await apiClient(serve) };
}

export async function closeLab(lab: Partial<LabSession>): Promise<void> {
  lab.api?.close();
  await lab.browser?.close();
  await lab.serve?.stop();
}

/** Screenshots the page at the two sizes every screen is checked at, then returns to a working size. */
export async function screenshotBothSizes(page: Page, file: string): Promise<void> {
  for (const [w, h] of [
    [1280, 800],
    [1920, 1080],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.waitForTimeout(200);
    await page.screenshot({ path: path.join(ARTIFACTS, `${file}-${w}x${h}.png`) });
  }
  await page.setViewportSize({ width: 1400, height: 900 });
}

/**
 * Waits until the page shows `count` run views, all in `state` when one is given (null: any state); on a
 * timeout the page is saved as `failureShot` in the artifacts, when named, before the error is rethrown.
 */
export async function waitForViews(
  page: Page,
  count: number,
  state: string | null,
  { timeout = 60_000, failureShot }: { timeout?: number; failureShot?: string } = {},
): Promise<void> {
  try {
    await page.waitForFunction(
      ([n, s]) => {
        const all = [...document.querySelectorAll('[data-testid=run-view]')];
        return all.length === n && (s === null || all.every((v) => v.getAttribute('data-state') === s));
      },
      [count, state] as const,
      { timeout },
    );
  } catch (err) {
    if (failureShot) await page.screenshot({ path: path.join(ARTIFACTS, `${failureShot}.png`) });
    throw err;
  }
}
