import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './serve-harness';

/** The three bundles `npm start` ships, built the CI way (into a scratch folder) and checked for what the app relies on. */
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-build-'));
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build', '--outDir', out],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
}, 120_000);

afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const read = (rel: string) => fs.readFileSync(path.join(out, rel), 'utf8');

/** A bundle and every chunk it imports, transitively. */
function withChunks(rel: string): string {
  const seen = new Set<string>();
  const visit = (file: string): string => {
    if (seen.has(file)) return '';
    seen.add(file);
    const code = fs.readFileSync(file, 'utf8');
    const imports = [...code.matchAll(/from\s+["'](\.[^"']+)["']|import\s*\(\s*["'](\.[^"']+)["']\s*\)/g)].map(
      (m) => m[1] ?? m[2]!,
    );
    return code + imports.map((i) => visit(path.resolve(path.dirname(file), i))).join('\n');
  };
  return visit(path.join(out, rel));
}

const importsElectron = (code: string) => /from\s+["']electron["']|require\(["']electron["']\)/.test(code);

describe('electron-vite build', () => {
  it('emits the Electron entry, the engine process entry and the serve entry as separate main bundles', () => {
    for (const entry of ['main/index.js', 'main/engine.js', 'main/serve.js'])
      expect(fs.existsSync(path.join(out, entry))).toBe(true);
    expect(importsElectron(read('main/index.js'))).toBe(true);
    expect(read('main/index.js')).toContain('utilityProcess');
  });

  it('keeps electron out of the engine and serve programs, and onnxruntime-node external', () => {
    const engine = withChunks('main/engine.js');
    expect(importsElectron(engine)).toBe(false);
    expect(importsElectron(withChunks('main/serve.js'))).toBe(false);
    expect(engine).toMatch(/from\s+["']onnxruntime-node["']/);
    expect(engine).not.toContain('InferenceSession.prototype');
  });

  it('ships a CommonJS preload that needs nothing but electron (a sandboxed preload cannot load modules)', () => {
    const preload = read('preload/index.cjs');
    const requires = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(requires).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('puts a strict Content-Security-Policy on the page: no eval, no remote scripts, no inline scripts', () => {
    const html = read('renderer/index.html');
    const csp = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  });
});
