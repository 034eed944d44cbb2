import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { _electron } from 'playwright-core';
import { ROOT, buildApp } from './serve-harness';

/** The Electron binary, when one is installed (it cannot be downloaded on every machine). */
function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidate = ['electron', 'electron.exe', 'Electron.app/Contents/MacOS/Electron']
      .map((f) => path.join(override, f))
      .find((f) => fs.existsSync(f));
    if (candidate) return candidate;
  }
  // Read the installed binary's location directly: requiring 'electron' would try to download it.
  const pkg = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = path.join(pkg, 'path.txt');
  if (!fs.existsSync(pathFile)) return null;
  const binary = path.join(pkg, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (!binary)
  console.log(
    'electron-app.test.ts: skipped: no Electron binary (set ELECTRON_OVERRIDE_DIST_PATH or install electron with its download)',
  );

describe.skipIf(!binary)('the Electron app', () => {
  it('opens a locked-down window whose page reaches the engine only through the preload bridge', async () => {
    buildApp();
    const app = await _electron.launch({
      executablePath: binary!,
      args: [path.join(ROOT, 'out', 'main', 'index.js')],
      cwd: ROOT,
    });
    try {
      const window = await app.firstWindow();
      await window.waitForSelector('[data-testid=model-info]', { timeout: 60_000 });
      expect(await window.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe(
        'undefined',
      );
      expect(
        await window.evaluate(() => typeof (window as unknown as { lab?: { request?: unknown } }).lab?.request),
      ).toBe('function');
      // no Node in the page, and the bridge object cannot be tampered with (context isolation)
      expect(await window.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      expect(await window.evaluate(() => Object.isFrozen((window as unknown as { lab: object }).lab))).toBe(true);
      await window.click('[data-testid=run]');
      await window.waitForSelector('[data-testid=run-view][data-state=done]', { timeout: 60_000 });
    } finally {
      await app.close();
    }
  }, 180_000);
});
