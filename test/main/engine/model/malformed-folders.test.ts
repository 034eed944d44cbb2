/**
 * Malformed model folders, written into a scratch directory: each must be refused with one line that names
 * the file (and the field), quickly, and without reading anything outside the folder. Files outside are
 * named pipes: opening one would block the test, so a read outside cannot pass unnoticed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../../../src/main/engine/model/load-model';
import { fixturePath } from '../../../helpers/fixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-malformed-'));
const OUTSIDE = path.join(scratch, 'outside.fifo');
const LAB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../src/main/cli/lab.ts');

beforeAll(() => execFileSync('mkfifo', [OUTSIDE]));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

const config = (d: string, edit: (c: any) => void) => editJson(path.join(d, 'config.json'), edit);
const tokenizer = (d: string, edit: (t: any) => void) => editJson(path.join(d, 'tokenizer.json'), edit);

type Case = [name: string, fixture: string, breakIt: (dir: string) => void, message: RegExp];

const CASES: Case[] = [
  [
    'config.json is an array',
    'lab-tiny',
    (d) => fs.writeFileSync(path.join(d, 'config.json'), '[]'),
    /^config\.json: expected a JSON object$/,
  ],
  [
    'config.json is null',
    'hf-gpt2-tiny',
    (d) => fs.writeFileSync(path.join(d, 'config.json'), 'null'),
    /^config\.json: expected a JSON object$/,
  ],
  [
    'config.json is empty',
    'lab-tiny',
    (d) => fs.writeFileSync(path.join(d, 'config.json'), ''),
    /^config\.json: not valid JSON/,
  ],
  [
    'config.json is a folder',
    'lab-tiny',
    (d) => (fs.rmSync(path.join(d, 'config.json')), fs.mkdirSync(path.join(d, 'config.json'))),
    /^config\.json: is not a file$/,
  ],
  [
    'lattice_lab.embeddings: 42',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab.embeddings = 42)),
    /^config\.json: lattice_lab\.embeddings must be a file name inside the model folder \(got 42\)$/,
  ],
  [
    'lattice_lab is a string',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab = 'lab')),
    /^config\.json: lattice_lab must be an object/,
  ],
  [
    'embeddings ../../../../etc/passwd',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab.embeddings = '../../../../etc/passwd')),
    /^config\.json: lattice_lab\.embeddings "\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" points outside the model folder$/,
  ],
  [
    'embeddings given as an absolute path',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab.embeddings = OUTSIDE)),
    /^config\.json: lattice_lab\.embeddings ".*" points outside the model folder$/,
  ],
  [
    'embeddings one level up',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab.embeddings = '../outside.fifo')),
    /points outside the model folder$/,
  ],
  [
    'embeddings a symlink leading outside',
    'lab-tiny',
    (d) => (fs.rmSync(path.join(d, 'embeddings.f32')), fs.symlinkSync(OUTSIDE, path.join(d, 'embeddings.f32'))),
    /^config\.json: lattice_lab\.embeddings "embeddings\.f32" points outside the model folder$/,
  ],
  [
    'lens outside the folder',
    'lab-tiny',
    (d) => config(d, (c) => (c.lattice_lab.lens = '../outside.fifo')),
    /^config\.json: lattice_lab\.lens "\.\.\/outside\.fifo" points outside/,
  ],
  [
    'tokenizer.json a symlink leading outside',
    'hf-gpt2-tiny',
    (d) => (fs.rmSync(path.join(d, 'tokenizer.json')), fs.symlinkSync(OUTSIDE, path.join(d, 'tokenizer.json'))),
    /^tokenizer\.json: tokenizer\.json "tokenizer\.json" points outside/,
  ],
  [
    'embeddings file missing',
    'lab-tiny',
    (d) => fs.rmSync(path.join(d, 'embeddings.f32')),
    /^embeddings\.f32: file not found$/,
  ],
  [
    'a 3 GiB embeddings file',
    'lab-tiny',
    (d) => fs.truncateSync(path.join(d, 'embeddings.f32'), 3 * 2 ** 30),
    /^embeddings\.f32: expected 8 × 16 float32 values \(512 bytes\), found 3221225472 bytes$/,
  ],
  [
    'embeddings shorter than one row',
    'lab-tiny',
    (d) => fs.truncateSync(path.join(d, 'embeddings.f32'), 10),
    /^embeddings\.f32: expected at least 1 × 16 float32 values/,
  ],
  [
    'num_hidden_layers "two"',
    'lab-tiny',
    (d) => config(d, (c) => (c.num_hidden_layers = 'two')),
    /^config\.json: num_hidden_layers must be a positive integer \(got "two"\)$/,
  ],
  [
    'hidden_size 0',
    'lab-tiny',
    (d) => config(d, (c) => (c.hidden_size = 0)),
    /^config\.json: hidden_size must be a positive integer \(got 0\)$/,
  ],
  [
    'n_embd 1.5',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.n_embd = 1.5)),
    /^config\.json: n_embd must be a positive integer \(got 1\.5\)$/,
  ],
  [
    'vocab_size -8',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.vocab_size = -8)),
    /^config\.json: vocab_size must be a positive integer/,
  ],
  [
    'hidden size not a multiple of the heads',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.n_head = 3)),
    /^config\.json: the hidden size 16 is not a multiple of the 3 attention heads/,
  ],
  [
    'bos_token_id 99999',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.bos_token_id = 99999)),
    /^config\.json: bos_token_id 99999 is outside the vocabulary \(ids 0\.\.7\)$/,
  ],
  [
    'bos_token_id -1',
    'lab-tiny',
    (d) => config(d, (c) => (c.bos_token_id = -1)),
    /^config\.json: bos_token_id must be a non-negative integer token id \(got -1\)$/,
  ],
  [
    'bos_token_id 1.5',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.bos_token_id = 1.5)),
    /^config\.json: bos_token_id must be a non-negative integer/,
  ],
  [
    'eos_token_id "x"',
    'hf-gpt2-tiny',
    (d) => config(d, (c) => (c.eos_token_id = 'x')),
    /^config\.json: eos_token_id must be a non-negative integer token id \(got "x"\)$/,
  ],
  [
    'eos_token_id 99999',
    'lab-tiny',
    (d) => config(d, (c) => (c.eos_token_id = 99999)),
    /^config\.json: eos_token_id 99999 is outside the vocabulary/,
  ],
  [
    'eos_token_id [0, "x"]',
    'hf-llama-tiny',
    (d) => config(d, (c) => (c.eos_token_id = [0, 'x'])),
    /^config\.json: eos_token_id\[1\] must be a non-negative integer/,
  ],
  [
    'tokenizer model type "Foo"',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.model.type = 'Foo')),
    /^tokenizer\.json: model\.type "Foo" is not supported \(one of BPE, WordPiece, Unigram\)$/,
  ],
  [
    'a WordLevel tokenizer',
    'lab-tiny',
    (d) => tokenizer(d, (t) => (t.model = { type: 'WordLevel', vocab: { a: 0 }, unk_token: 'a' })),
    /^tokenizer\.json: model\.type "WordLevel" is not supported/,
  ],
  [
    'a WordPiece tokenizer in a GPT-2 folder',
    'hf-gpt2-tiny',
    (d) =>
      tokenizer(
        d,
        (t) =>
          (t.model = {
            type: 'WordPiece',
            vocab: t.model.vocab,
            unk_token: 'a',
            continuing_subword_prefix: '##',
            max_input_chars_per_word: 100,
          }),
      ),
    /^tokenizer\.json: a WordPiece model with a ByteLevel pre_tokenizer/,
  ],
  [
    'a WordPiece tokenizer without its unknown token',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.model.type = 'WordPiece')),
    /^tokenizer\.json: model\.unk_token must name a token/,
  ],
  [
    'a tokenizer id of 2^31 - 2',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.model.vocab.zz = 2 ** 31 - 2)),
    /^tokenizer\.json: the tokenizer has 2147483647 tokens but the graph's logits have 8 columns$/,
  ],
  [
    'an added token id of 10^9',
    'lab-tiny',
    (d) => tokenizer(d, (t) => t.added_tokens.push({ id: 1e9, content: '<x>', special: true })),
    /^tokenizer\.json: the tokenizer has 1000000001 tokens/,
  ],
  [
    'a negative tokenizer id',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.model.vocab.a = -1)),
    /^tokenizer\.json: model\.vocab\["a"\] must be a non-negative integer token id \(got -1\)$/,
  ],
  [
    'a tokenizer id written as a string',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.model.vocab.a = '1')),
    /^tokenizer\.json: model\.vocab\["a"\] must be a non-negative integer/,
  ],
  [
    'tokenizer.json is an array',
    'lab-tiny',
    (d) => fs.writeFileSync(path.join(d, 'tokenizer.json'), '[1]'),
    /^tokenizer\.json: expected a JSON object$/,
  ],
  [
    'tokenizer.json without a model',
    'hf-llama-tiny',
    (d) => tokenizer(d, (t) => delete t.model),
    /^tokenizer\.json: model must be an object/,
  ],
  [
    'added_tokens not an array',
    'hf-gpt2-tiny',
    (d) => tokenizer(d, (t) => (t.added_tokens = { id: 0 })),
    /^tokenizer\.json: added_tokens must be an array$/,
  ],
  [
    'a Unigram vocabulary that is not a list',
    'lab-tiny',
    (d) => tokenizer(d, (t) => (t.model = { type: 'Unigram', vocab: { a: 1 } })),
    /^tokenizer\.json: model\.vocab must be an array of \[piece, score\] pairs/,
  ],
  [
    'tokenizer_config.json is an array',
    'lab-tiny',
    (d) => fs.writeFileSync(path.join(d, 'tokenizer_config.json'), '[]'),
    /^tokenizer_config\.json: expected a JSON object$/,
  ],
  [
    'an empty graph file',
    'hf-gpt2-tiny',
    (d) => fs.writeFileSync(path.join(d, 'onnx/model.onnx'), ''),
    /^onnx\/model\.onnx: cannot load the ONNX graph/,
  ],
  [
    'the graph is a folder',
    'hf-gpt2-tiny',
    (d) => (fs.rmSync(path.join(d, 'onnx/model.onnx')), fs.mkdirSync(path.join(d, 'onnx/model.onnx'))),
    /^onnx\/model\.onnx: is not a file$/,
  ],
  [
    'the model folder is a file',
    'lab-tiny',
    (d) => (fs.rmSync(d, { recursive: true }), fs.writeFileSync(d, 'x')),
    /: model folder not found$/,
  ],
];

function brokenCopy(fixture: string, name: string, breakIt: (dir: string) => void): string {
  const dir = path.join(scratch, name.replace(/\W+/g, '-'));
  fs.cpSync(fixturePath(fixture), dir, { recursive: true });
  breakIt(dir);
  return dir;
}

describe('malformed model folders', () => {
  it(`has at least 30 cases (${CASES.length})`, () => expect(CASES.length).toBeGreaterThanOrEqual(30));

  it.each(CASES)('%s: one line naming the file and the field, quickly', async (name, fixture, breakIt, message) => {
    const dir = brokenCopy(fixture, name, breakIt);
    const started = performance.now();
    let error: Error | null = null;
    try {
      await (await loadModel(dir)).release();
    } catch (err) {
      error = err as Error;
    }
    expect(error?.name).toBe('ModelLoadError');
    expect(error!.message).toMatch(message);
    expect(error!.message).not.toContain('\n');
    // fail fast: a tokenizer id of 2^31 once took 92 s, a 3 GiB embeddings file was read whole
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('the CLI prints one "error:" line, no stack trace, and exits with a code in 1..127', async () => {
    const picked = [CASES[4]!, CASES[30]!];
    const outs = await Promise.all(
      picked.map(([name, fixture, breakIt]) => {
        const dir = brokenCopy(fixture, `cli-${name}`, breakIt);
        const child = spawn(process.execPath, ['--import', 'tsx', LAB, 'inspect', '--model', dir], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        return new Promise<{ status: number | null; stderr: string }>((resolve) =>
          child.on('close', (status) => resolve({ status, stderr })),
        );
      }),
    );
    outs.forEach((out, i) => {
      expect(out.status).toBeGreaterThanOrEqual(1);
      expect(out.status).toBeLessThanOrEqual(127);
      const lines = out.stderr.split('\n').filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]!.replace(/^error: /, '')).toMatch(picked[i]![3]);
      expect(out.stderr).not.toMatch(/\n\s+at /);
    });
  }, 180_000);
});
