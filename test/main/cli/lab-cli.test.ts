import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseExportFile } from '../../../src/shared/export-validate';
import { fixturePath } from '../../helpers/fixtures';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

async function lab(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/main/cli/lab.ts', ...args], {
      cwd: root,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('lab command line', () => {
  it('run prints the best text and stats, and exports a valid file', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lab-cli-')), 'beam.json');
    const r = await lab(
      'run',
      '--model',
      fixturePath('hf-gpt2-tiny'),
      '--prompt',
      'a b',
      '--strategy',
      'beam',
      '--num-beams',
      '3',
      '--max-new-tokens',
      '4',
      '--out',
      out,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/strategy: beam \{.*"numBeams":3/);
    expect(r.stdout).toMatch(/best: ".*"\s+score -\d/);
    expect(r.stdout).toMatch(/forward passes\s+\|\s+4\s+\|/);
    expect(r.stderr).toMatch(/beam .*100%/);
    const file = parseExportFile(JSON.parse(fs.readFileSync(out, 'utf8')));
    expect(file.runs[0]!.config).toMatchObject({ strategy: 'beam', numBeams: 3, maxNewTokens: 4 });
    expect(r.stdout).toContain(JSON.stringify(file.runs[0]!.result.bestText));
  });

  it('run prints what each continuous thought superposes', async () => {
    const r = await lab(
      'run',
      '--model',
      fixturePath('lab-tiny'),
      '--prompt',
      'a b',
      '--strategy',
      'latent',
      '--thoughts',
      '2',
      '--max-new-tokens',
      '2',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.findIndex((l) => l.startsWith('thoughts (logit lens'));
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^ {2}1\. \d+ big logits \(mass [\d.]+, entropy [\d.]+\): /);
    expect(lines[at + 2]).toMatch(/^ {2}2\. /);
  });

  it('a model trained for continuous thoughts gets its own mode and count by default', async () => {
    const r = await lab(
      'run',
      '--model',
      path.join(root, 'resources/models/ontology-coconut'),
      '--task',
      '0',
      '--strategy',
      'latent',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"mode":"hidden","thoughts":6/);
    expect(r.stdout).toMatch(/^best: "answer : \w+ is a \w+ \."/m);
  });

  it('compare prints one row per strategy', async () => {
    const r = await lab(
      'compare',
      '--model',
      fixturePath('lab-tiny'),
      '--prompt',
      'a b',
      '--run',
      'greedy',
      '--run',
      'beam num-beams=2',
      '--max-new-tokens',
      '3',
    );
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\| (greedy|beam) /.test(l));
    expect(rows).toHaveLength(2);
  });

  it('inspect names the convention and capabilities', async () => {
    const r = await lab('inspect', fixturePath('hf-llama-tiny'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/convention\s+\| Hugging Face/);
    expect(r.stdout).toMatch(/key\/value heads\s+\| 2/);
    expect(r.stdout).toMatch(/✗ hiddenStates/);
  });

  it('inspect-node prints the logit lens of a node, and refuses models without hidden states', async () => {
    const r = await lab(
      'inspect-node',
      '--model',
      fixturePath('lab-tiny'),
      '--prompt',
      'a b',
      '--continuation',
      'c',
      '--top',
      '3',
    );
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\| (0 \(embedding\)|\d+) /.test(l));
    expect(rows).toHaveLength(3); // embedding + 2 layers
    const refused = await lab('inspect-node', '--model', fixturePath('hf-gpt2-tiny'), '--prompt', 'a b');
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringMatching(/lacks a hidden_states output/) });
  });

  it('bad input exits 2 with a readable message', async () => {
    expect(await lab('run', '--model', '/no/such/folder', '--prompt', 'a')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/model folder not found/),
    });
    expect(
      await lab('run', '--model', fixturePath('lab-tiny'), '--prompt', 'a', '--strategy', 'beam', '--num-beams', '0'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/numBeams/),
    });
    expect(
      await lab('run', '--model', fixturePath('lab-tiny'), '--prompt', 'a', '--strategy', 'teleport'),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/unknown strategy "teleport"/),
    });
    expect((await lab('frobnicate')).code).toBe(2);
  });
});
