import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../src/main/engine/io/atomic-write';
import { parseExportFile } from '../../../src/shared/export-validate';
import { fixturePath } from '../../helpers/fixtures';

const root = path.resolve(__dirname, '../../..');
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lab-cli-io-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function lab(
  args: string[],
  stdin?: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main/cli/lab.ts', ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  child.stdin.end(stdin ?? '');
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('prompts from a file or standard input, and output files', () => {
  it('a 100,000-character prompt reaches the engine whole through --prompt-file and stdin (no argv crash)', async () => {
    const prompt = 'a b '.repeat(25_000);
    expect(prompt.length).toBe(100_000);
    const file = path.join(scratch, 'long-prompt.txt');
    fs.writeFileSync(file, prompt + '\n');
    const [fromFile, fromStdin] = await Promise.all([
      lab(['run', '--model', fixturePath('lab-tiny'), '--prompt-file', file, '--strategy', 'greedy']),
      lab(['run', '--model', fixturePath('lab-tiny'), '--prompt', '-', '--strategy', 'greedy'], prompt),
    ]);
    for (const r of [fromFile, fromStdin]) {
      // lab-tiny has 64 positions: the engine refuses the run, after counting every one of the 50,000 tokens
      expect(r.signal).toBeNull();
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^error: the prompt has 5000[01] tokens .* but lab-tiny has a context of 64/);
    }
  }, 120_000);

  it('--prompt-file and stdin give the same run as --prompt', async () => {
    const file = path.join(scratch, 'prompt.txt');
    fs.writeFileSync(file, 'a b\n');
    const args = [
      '--model',
      fixturePath('lab-tiny'),
      '--strategy',
      'beam',
      '--num-beams',
      '2',
      '--max-new-tokens',
      '3',
    ];
    const runs = await Promise.all([
      lab(['run', ...args, '--prompt', 'a b']),
      lab(['run', ...args, '--prompt-file', file]),
      lab(['run', ...args, '--prompt-file', '-'], 'a b\n'),
    ]);
    for (const r of runs) expect(r.code).toBe(0);
    const best = runs.map((r) => r.stdout.split('\n').find((l) => l.startsWith('best:')));
    expect(best[0]).toMatch(/^best: /);
    expect(best).toEqual([best[0], best[0], best[0]]);
    expect(runs[2]!.stdout).toContain('prompt: "a b"');
  }, 120_000);

  it('refuses --out into a missing folder before the run, and both prompt flags at once', async () => {
    const [missing, both] = await Promise.all([
      lab(['run', '--model', fixturePath('lab-tiny'), '--prompt', 'a', '--out', '/nonexistent/dir/x.json']),
      lab(['run', '--model', fixturePath('lab-tiny'), '--prompt', 'a', '--prompt-file', '-']),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(
      'error: --out /nonexistent/dir/x.json: the folder /nonexistent/dir does not exist',
    );
    expect(missing.stdout).not.toContain('best:');
    expect(both).toMatchObject({ code: 2, stderr: 'error: give --prompt or --prompt-file, not both\n' });
  }, 120_000);

  it('compare --out writes a valid file and leaves no temporary file behind', async () => {
    const out = path.join(scratch, 'cmp.json');
    const r = await lab([
      'compare',
      '--model',
      fixturePath('lab-tiny'),
      '--prompt',
      'a b',
      '--run',
      'greedy',
      '--max-new-tokens',
      '2',
      '--out',
      out,
    ]);
    expect(r.code).toBe(0);
    expect(parseExportFile(JSON.parse(fs.readFileSync(out, 'utf8'))).runs).toHaveLength(1);
    expect(fs.readdirSync(scratch).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  it('a writer killed mid-write leaves the previous file whole (3 of 3)', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const dir = fs.mkdtempSync(path.join(scratch, 'kill-'));
      const target = path.join(dir, 'export.json');
      writeFileAtomic(target, JSON.stringify({ version: 0, pad: '' }));
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, 'atomic-writer-child.ts'), target, '24'],
        { stdio: 'ignore' },
      );
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // kill while a temporary file is being written (it exists and is not yet complete)
      const deadline = Date.now() + 60_000;
      let sawPartial = false;
      while (Date.now() < deadline && !sawPartial) {
        const tmp = fs.readdirSync(dir).find((f) => f.includes('.tmp-'));
        if (tmp) {
          try {
            sawPartial = fs.statSync(path.join(dir, tmp)).size < 24 * 1024 * 1024;
          } catch {
            // renamed between the listing and the stat
          }
        }
        if (!sawPartial) await new Promise((r) => setTimeout(r, 1));
      }
      child.kill('SIGKILL');
      await exited;
      expect(sawPartial).toBe(true);
      const after = JSON.parse(fs.readFileSync(target, 'utf8'));
      expect(after.pad.length).toBe(after.version === 0 ? 0 : 24 * 1024 * 1024);
    }
  }, 180_000);
});
