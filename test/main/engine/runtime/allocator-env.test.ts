import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_ALLOCATOR_ENV, hasEngineAllocatorEnv } from '../../../../src/main/engine/runtime/allocator-env';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('engine allocator environment', () => {
  it('asks glibc for heap-served buffers up to its 32 MiB maximum and no trimming, and recognises itself', () => {
    expect(ENGINE_ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_).toBe('33554432');
    expect(Number(ENGINE_ALLOCATOR_ENV.MALLOC_TRIM_THRESHOLD_)).toBe(2 ** 31 - 1);
    expect(hasEngineAllocatorEnv({ ...ENGINE_ALLOCATOR_ENV, PATH: '/bin' })).toBe(true);
    expect(hasEngineAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '33554432' })).toBe(false);
    expect(hasEngineAllocatorEnv({ ...ENGINE_ALLOCATOR_ENV, MALLOC_TRIM_THRESHOLD_: '0' })).toBe(false);
  });

  it('runs a command again under the settings, with its arguments and streams, and passes on its exit status', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-rerun-'));
    const script = path.join(dir, 'command.mts');
    fs.writeFileSync(
      script,
      [
        `import { rerunWithEngineAllocatorEnv } from ${JSON.stringify(path.join(root, 'src/main/engine/runtime/allocator-env.ts'))};`,
        'const status = rerunWithEngineAllocatorEnv();',
        'if (status !== null) process.exit(status);',
        'const input = await new Promise((done) => { let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => done(s)); });',
        'console.log(JSON.stringify({ threshold: process.env.MALLOC_MMAP_THRESHOLD_, args: process.argv.slice(2), input }));',
        'process.exit(3);',
      ].join('\n'),
    );
    const env = { ...process.env };
    for (const key of Object.keys(ENGINE_ALLOCATOR_ENV)) delete env[key];
    const out = spawnSync(process.execPath, ['--import', 'tsx', script, 'two words', '--flag'], {
      cwd: root,
      env,
      input: 'from stdin',
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(out.status).toBe(3);
    expect(JSON.parse(out.stdout)).toEqual({
      threshold: '33554432',
      args: ['two words', '--flag'],
      input: 'from stdin',
    });
  });
});
