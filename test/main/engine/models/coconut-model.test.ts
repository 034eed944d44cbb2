import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { Evaluator, type Lineage, type NodeInput } from '../../../../src/main/engine/runtime/evaluator';

/**
 * The bundled continuous-thought model (resources/models/ontology-coconut, issue #7): the engine reproduces the
 * training code's log-probabilities (reference.json, written by scripts/model/export_coconut.py) when it feeds
 * each thought back as the previous position's last_hidden_state. The folder is committed: if it is missing
 * this test fails, it does not skip.
 */
const FOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../resources/models/ontology-coconut',
);

interface ReferenceExample {
  id: string;
  prompt: string;
  hops: number;
  prompt_ids: number[];
  continuation_ids: number[];
  continuation_logprobs: number[];
  eot_logprobs: number[];
  thought_inputs: number[][];
  greedy_ids: number[];
}
interface Reference {
  bot_id: number;
  eot_id: number;
  n_thoughts: number;
  examples: ReferenceExample[];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/**
 * Node 0: prompt + <bot> (tokens); nodes 1..n: thoughts, whose input is set once the previous node is evaluated
 * ({embeddings: [lastHidden]}); node n+1: <eot>; then one node per continuation token.
 */
class ThoughtLineage implements Lineage {
  readonly thoughtInputs = new Map<number, Float32Array>();
  constructor(
    private readonly prefix: number[],
    private readonly nThoughts: number,
    private readonly after: number[],
  ) {}
  parentOf(id: number): number | null {
    return id === 0 ? null : id - 1;
  }
  inputOf(id: number): NodeInput {
    if (id === 0) return { tokens: this.prefix };
    if (id <= this.nThoughts) {
      const h = this.thoughtInputs.get(id);
      if (!h) throw new Error(`thought ${id} asked for before its input was set`);
      return { embeddings: [h] };
    }
    return { tokens: [this.after[id - this.nThoughts - 1]!] };
  }
}

describe('bundled continuous-thought model (ontology-coconut)', () => {
  let model: LoadedModel;
  let reference: Reference;
  let config: any;

  beforeAll(async () => {
    if (!fs.existsSync(FOLDER)) throw new Error(`the bundled model folder is missing: ${FOLDER}`);
    reference = JSON.parse(fs.readFileSync(path.join(FOLDER, 'reference.json'), 'utf8'));
    config = JSON.parse(fs.readFileSync(path.join(FOLDER, 'config.json'), 'utf8'));
    model = await loadModel(FOLDER);
  });
  afterAll(async () => {
    await model?.release();
  });

  it('is a lab model with latents and declares its thought markers and count', () => {
    expect(model.info.convention).toBe('lab');
    expect(model.info.capabilities.inputsEmbeds).toBe(true);
    expect(model.info.capabilities.lastHiddenState).toBe(true);
    const thoughts = config.lattice_lab.thoughts;
    expect(thoughts).toEqual({ begin_token: '<bot>', end_token: '<eot>', count: reference.n_thoughts, mode: 'hidden' });
    expect(thoughts.count).toBeGreaterThan(0);
    expect(model.tokenizer.tokenId('<bot>')).toBe(reference.bot_id);
    expect(model.tokenizer.tokenId('<eot>')).toBe(reference.eot_id);
    expect(model.tokenizer.isSpecial(reference.bot_id)).toBe(true);
    expect(model.tokenizer.isSpecial(reference.eot_id)).toBe(true);
    expect(reference.examples.length).toBe(3);
    for (const ex of reference.examples) expect(model.tokenizer.encode(ex.prompt)).toEqual(ex.prompt_ids);
  });

  it("reproduces the training code's answer log-probabilities with thoughts fed back from last_hidden_state (1e-4)", async () => {
    const n = reference.n_thoughts;
    for (const ex of reference.examples) {
      const after = [reference.eot_id, ...ex.continuation_ids.slice(0, -1)];
      const lineage = new ThoughtLineage([...ex.prompt_ids, reference.bot_id], n, after);
      const evaluator = new Evaluator(model, lineage);
      let [previous] = await evaluator.evaluate([0]);
      for (let i = 1; i <= n; i++) {
        const h = previous!.lastHidden;
        if (!h) throw new Error('no last_hidden_state');
        expect(maxAbsDiff(h, ex.thought_inputs[i - 1]!)).toBeLessThan(1e-3);
        lineage.thoughtInputs.set(i, h);
        [previous] = await evaluator.evaluate([i]);
      }
      const logprobs: number[] = [];
      for (let j = 0; j < after.length; j++) {
        const [e] = await evaluator.evaluate([n + 1 + j]);
        if (j === 0) expect(maxAbsDiff(e!.logprobs, ex.eot_logprobs)).toBeLessThan(1e-4);
        logprobs.push(e!.logprobs[ex.continuation_ids[j]!]!);
      }
      expect(maxAbsDiff(logprobs, ex.continuation_logprobs)).toBeLessThan(1e-4);
      // one pass per node: prompt + <bot>, each thought, <eot>, each continuation token but the last
      expect(evaluator.stats.forwardPasses).toBe(1 + n + after.length);
      expect(evaluator.stats.recomputedPasses).toBe(0);
    }
  });

  it("decodes the training code's greedy answer after the thoughts", async () => {
    const n = reference.n_thoughts;
    for (const ex of reference.examples) {
      const generated: number[] = [];
      const lineage = new ThoughtLineage([...ex.prompt_ids, reference.bot_id], n, [reference.eot_id]);
      const after = [reference.eot_id];
      const dynamic: Lineage = {
        parentOf: (id) => lineage.parentOf(id),
        inputOf: (id) => (id <= n ? lineage.inputOf(id) : { tokens: [after[id - n - 1]!] }),
      };
      const evaluator = new Evaluator(model, dynamic);
      let [previous] = await evaluator.evaluate([0]);
      for (let i = 1; i <= n; i++) {
        lineage.thoughtInputs.set(i, previous!.lastHidden!);
        [previous] = await evaluator.evaluate([i]);
      }
      for (let step = 0; step < ex.greedy_ids.length; step++) {
        const [e] = await evaluator.evaluate([n + 1 + step]);
        const next = argmax(e!.logprobs);
        generated.push(next);
        if (next === model.info.eosTokenIds[0]) break;
        after.push(next);
      }
      expect(generated).toEqual(ex.greedy_ids);
    }
  });
});
