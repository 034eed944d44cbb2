import { afterAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel } from '../../../../src/main/engine/model/load-model';
import { fixturePath } from '../../../helpers/fixtures';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-bad-models-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A copy of a fixture with one thing broken. */
function brokenCopy(fixture: string, name: string, breakIt: (dir: string) => void): string {
  const dir = path.join(scratch, name);
  fs.cpSync(fixturePath(fixture), dir, { recursive: true });
  breakIt(dir);
  return dir;
}

function editJson(file: string, edit: (json: any) => void): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(json);
  fs.writeFileSync(file, JSON.stringify(json));
}

async function loadError(dir: string): Promise<string> {
  try {
    const model = await loadModel(dir);
    await model.release();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`${dir} loaded without error`);
}

describe('model folders', () => {
  it('reads both conventions and derives capabilities from the signature', async () => {
    const lab = await loadModel(fixturePath('lab-tiny'));
    expect(lab.info.convention).toBe('lab');
    expect(lab.info.capabilities).toEqual({
      inputsEmbeds: true,
      lastHiddenState: true,
      hiddenStates: true,
      embeddings: true,
      logitLens: true,
      residualDelta: true,
      ablation: false,
    });
    const gpt2 = await loadModel(fixturePath('hf-gpt2-tiny'));
    expect(gpt2.info).toMatchObject({ convention: 'hf', family: 'gpt2', numLayers: gpt2.info.numLayers, vocabSize: 8 });
    expect(Object.values(gpt2.info.capabilities).every((c) => c === false)).toBe(true);
    const llama = await loadModel(fixturePath('hf-llama-tiny'));
    expect(llama.info.numHeads).toBe(4);
    expect(llama.info.numKvHeads).toBe(2);
    const merged = await loadModel(fixturePath('hf-merged-tiny'));
    expect(merged.info.graphFile).toBe('decoder_model_merged.onnx');
    expect(merged.info.inputs).toContain('use_cache_branch');
    await Promise.all([lab, gpt2, llama, merged].map((m) => m.release()));
  });

  it('keeps token bytes that are not valid UTF-8 on their own', async () => {
    const gpt2 = await loadModel(fixturePath('hf-gpt2-tiny'));
    const split = [...Array(8).keys()].filter((id) => gpt2.tokenizer.tokenText(id).bytes !== undefined);
    expect(split.map((id) => gpt2.tokenizer.tokenText(id).bytes)).toEqual(['c3', 'a9']);
    // together the two bytes are "é"
    expect(gpt2.tokenizer.decode(split)).toBe('é');
    await gpt2.release();
  });

  const cases: [string, string, (dir: string) => void, RegExp][] = [
    ['a missing folder', 'lab-tiny', (d) => fs.rmSync(d, { recursive: true }), /model folder not found/],
    [
      'a missing config.json',
      'lab-tiny',
      (d) => fs.rmSync(path.join(d, 'config.json')),
      /^config\.json: file not found/,
    ],
    [
      'a config.json that is not JSON',
      'lab-tiny',
      (d) => fs.writeFileSync(path.join(d, 'config.json'), '{ nope'),
      /^config\.json: not valid JSON/,
    ],
    [
      'a missing tokenizer.json',
      'hf-gpt2-tiny',
      (d) => fs.rmSync(path.join(d, 'tokenizer.json')),
      /^tokenizer\.json: file not found/,
    ],
    [
      'no graph at all',
      'hf-gpt2-tiny',
      (d) => fs.rmSync(path.join(d, 'onnx'), { recursive: true }),
      /no ONNX decoder graph found/,
    ],
    [
      'corrupt ONNX bytes',
      'lab-tiny',
      (d) => fs.writeFileSync(path.join(d, 'onnx/model.onnx'), Buffer.from('not a protobuf at all')),
      /^onnx\/model\.onnx: cannot load the ONNX graph/,
    ],
    [
      'a truncated ONNX file',
      'hf-llama-tiny',
      (d) => {
        const f = path.join(d, 'onnx/model.onnx');
        fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 200));
      },
      /^onnx\/model\.onnx: cannot load the ONNX graph/,
    ],
    [
      'a config with the wrong number of layers',
      'lab-tiny',
      (d) => editJson(path.join(d, 'config.json'), (c) => (c.num_hidden_layers = 3)),
      /^config\.json: config\.json says the number of layers = 3 but the graph onnx\/model\.onnx has 2/,
    ],
    [
      'a GPT-2 config with the wrong layer count',
      'hf-gpt2-tiny',
      (d) => editJson(path.join(d, 'config.json'), (c) => (c.n_layer = 7)),
      /the number of layers = 7/,
    ],
    [
      'a config with the wrong hidden size',
      'lab-tiny',
      (d) => editJson(path.join(d, 'config.json'), (c) => (c.hidden_size = 32)),
      /hidden size = 32 but the graph/,
    ],
    [
      'a config with the wrong number of KV heads',
      'hf-llama-tiny',
      (d) => editJson(path.join(d, 'config.json'), (c) => (c.num_key_value_heads = 4)),
      /(key\/value heads = 4 but the graph|test forward pass failed)/,
    ],
    [
      'a tokenizer larger than the logits',
      'lab-tiny',
      (d) => editJson(path.join(d, 'tokenizer.json'), (t) => (t.model.vocab.h = 8)),
      /^tokenizer\.json: the tokenizer has 9 tokens but the graph's logits have 8 columns/,
    ],
    [
      'a tokenizer smaller than undeclared padded logits',
      'lab-tiny',
      (d) => {
        editJson(path.join(d, 'tokenizer.json'), (t) => delete t.model.vocab.g);
        editJson(path.join(d, 'config.json'), (c) => delete c.vocab_size);
      },
      /^tokenizer\.json: the tokenizer has 7 tokens but the graph's logits have 8 columns \(a padded vocabulary must be declared/,
    ],
    [
      'a truncated embedding matrix',
      'lab-tiny',
      (d) => {
        const f = path.join(d, 'embeddings.f32');
        fs.writeFileSync(f, fs.readFileSync(f).subarray(0, 64 * 7));
      },
      /^embeddings\.f32: expected 8 × 16 float32 values/,
    ],
    ['a graph with neither signature', 'bad-signature', () => {}, /neither supported signature.*inputs \[x\]/],
  ];

  it('accepts a padded vocabulary declared as vocab_size in config.json', async () => {
    const dir = brokenCopy('lab-tiny', 'padded', (d) =>
      editJson(path.join(d, 'tokenizer.json'), (t) => delete t.model.vocab.g),
    );
    const model = await loadModel(dir);
    expect(model.info.vocabSize).toBe(8);
    expect(model.tokenizer.vocabSize).toBe(7);
    await model.release();
  });

  it.each(cases)(
    'rejects %s with a message naming the problem and the file',
    async (_name, fixture, breakIt, message) => {
      const dir = brokenCopy(fixture, _name.replace(/\W+/g, '-'), breakIt);
      expect(await loadError(dir)).toMatch(message);
    },
  );
});
