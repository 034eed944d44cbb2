import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Evaluator, type Lineage, type NodeInput } from '../../../../src/main/engine/runtime/evaluator';
import { fixtureModel, fixturePath, GOOD_FIXTURES } from '../../../helpers/fixtures';
import { kvBytes } from '../../../../src/main/engine/model/kv-tensors';
import { fullPassLogprobs } from '../../../oracles/full-pass';

/** A hand-built lineage: node 0 is the prompt, node i > 0 appends one token to its parent. */
function chainLineage(prompt: number[], nodes: { parent: number; token: number }[]): Lineage {
  return {
    parentOf: (id) => (id === 0 ? null : nodes[id - 1]!.parent),
    inputOf: (id): NodeInput => (id === 0 ? { tokens: prompt } : { tokens: [nodes[id - 1]!.token] }),
  };
}

function pathOf(prompt: number[], nodes: { parent: number; token: number }[], id: number): number[] {
  const tokens: number[] = [];
  for (let n = id; n !== 0; n = nodes[n - 1]!.parent) tokens.unshift(nodes[n - 1]!.token);
  return [...prompt, ...tokens];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

// A small tree: two branches from the prompt, each extended twice, so frontiers of 1, 2 and 4 nodes occur.
const prompt = [1, 3];
const nodes = [
  { parent: 0, token: 2 }, // 1
  { parent: 0, token: 5 }, // 2
  { parent: 1, token: 4 }, // 3
  { parent: 1, token: 6 }, // 4
  { parent: 2, token: 4 }, // 5
  { parent: 2, token: 1 }, // 6
  { parent: 3, token: 7 }, // 7
  { parent: 4, token: 2 }, // 8
  { parent: 5, token: 3 }, // 9
  { parent: 6, token: 6 }, // 10
];
const levels = [[0], [1, 2], [3, 4, 5, 6], [7, 8, 9, 10]];
// A late branch off an early node: its parent's cache is long gone under a tight budget.
const lateBranch = [...nodes, { parent: 1, token: 0 }, { parent: 11, token: 3 }];

describe.each(GOOD_FIXTURES)('KV-cached stepping on %s (property 1)', (fixture) => {
  it('equals one uncached teacher-forced pass, batched frontiers', async () => {
    const model = await fixtureModel(fixture);
    const evaluator = new Evaluator(model, chainLineage(prompt, nodes));
    for (const level of levels) {
      const evaluations = await evaluator.evaluate(level);
      expect(evaluator.stats.forwardPasses).toBe(levels.indexOf(level) + 1);
      for (const e of evaluations) {
        const full = await fullPassLogprobs(model, pathOf(prompt, nodes, e.nodeId));
        expect(maxAbsDiff(e.logprobs, full[full.length - 1]!)).toBeLessThan(1e-4);
      }
    }
    // every prefix evaluated exactly once: prompt + one token per node
    expect(evaluator.stats.tokensEvaluated).toBe(prompt.length + nodes.length);
  });

  it('equals the same pass one node at a time (unbatched)', async () => {
    const model = await fixtureModel(fixture);
    const batched = new Evaluator(model, chainLineage(prompt, nodes));
    const single = new Evaluator(model, chainLineage(prompt, nodes));
    for (const level of levels) {
      const together = await batched.evaluate(level);
      for (const e of together) {
        const [alone] = await single.evaluate([e.nodeId]);
        expect(maxAbsDiff(alone!.logprobs, e.logprobs)).toBeLessThan(1e-5);
      }
    }
    expect(single.stats.forwardPasses).toBe(nodes.length + 1);
  });

  it('recomputes evicted caches on demand with the same results', async () => {
    const model = await fixtureModel(fixture);
    // room for about two caches: most are evicted or never kept, and recomputed
    const evaluator = new Evaluator(model, chainLineage(prompt, lateBranch), {
      kvBudgetBytes: 2 * kvBytes(model.decoder.kvShape, 1, prompt.length + 3),
    });
    for (const level of [...levels, [12]]) {
      for (const e of await evaluator.evaluate(level)) {
        const full = await fullPassLogprobs(model, pathOf(prompt, lateBranch, e.nodeId));
        expect(maxAbsDiff(e.logprobs, full[full.length - 1]!)).toBeLessThan(1e-4);
      }
    }
    expect(evaluator.stats.recomputedPasses).toBeGreaterThan(0);
    expect(evaluator.cache.evictions).toBeGreaterThan(0);
  });
});

describe.each(GOOD_FIXTURES)('ONNX export of %s', (fixture) => {
  it("reproduces the training code's log-probabilities (reference.json, 1e-4)", async () => {
    const model = await fixtureModel(fixture);
    const reference = JSON.parse(fs.readFileSync(path.join(fixturePath(fixture), 'reference.json'), 'utf8'));
    expect(reference.sequences.length).toBeGreaterThan(0);
    for (const seq of reference.sequences as { input_ids: number[]; logprobs: number[][] }[]) {
      const ours = await fullPassLogprobs(model, seq.input_ids);
      seq.logprobs.forEach((row, i) => expect(maxAbsDiff(ours[i]!, row)).toBeLessThan(1e-4));
    }
  });
});

describe('evaluator reuse', () => {
  it('a node asked for again by the next phase of a search costs no second pass', async () => {
    const model = await fixtureModel('lab-tiny');
    const evaluator = new Evaluator(model, chainLineage(prompt, nodes));
    const [first] = await evaluator.evaluate([0]);
    const [again] = await evaluator.evaluate([0]);
    expect(again).toBe(first);
    expect(evaluator.stats.forwardPasses).toBe(1);
    // hidden states were not computed the first time: asking for them runs the pass
    const [withHidden] = await evaluator.evaluate([0], { hiddenStates: true });
    expect(withHidden!.hiddenStates).toHaveLength(model.info.numLayers + 1);
    expect(evaluator.stats.forwardPasses).toBe(2);
  });
});

describe('KV cache accounting', () => {
  it('reports peak bytes and reuses a single-row frontier without copying', async () => {
    const model = await fixtureModel('lab-tiny');
    const evaluator = new Evaluator(model, chainLineage(prompt, nodes));
    await evaluator.evaluate([0]);
    const { numLayers, numKvHeads, headDim } = model.decoder.kvShape;
    expect(evaluator.cache.peakBytes).toBe(2 * numLayers * numKvHeads * prompt.length * headDim * 4);
    const gathered = evaluator.cache.gather([0]);
    expect(evaluator.cache.gather([0]).keys[0]).toBe(gathered.keys[0]);
    evaluator.release([0]);
    expect(evaluator.cache.heldBytes).toBe(0);
  });
});

describe.each(GOOD_FIXTURES)('a level built in its parents’ block on %s', (fixture) => {
  // level [3, 4, 5, 6] evaluated together; the next level repeats 3, skips 4 and takes 5 and 6 (a beam step's shape)
  const beamLike = [
    ...nodes.slice(0, 6),
    { parent: 3, token: 7 }, // 7
    { parent: 3, token: 2 }, // 8
    { parent: 6, token: 3 }, // 9
    { parent: 5, token: 6 }, // 10
  ];
  const previous = [3, 4, 5, 6];
  const next = [7, 8, 9, 10];

  async function evaluatedUpTo(reusable?: ReadonlySet<number>) {
    const model = await fixtureModel(fixture);
    const evaluator = new Evaluator(model, chainLineage(prompt, beamLike));
    for (const level of [[0], [1, 2], previous]) await evaluator.evaluate(level);
    return { model, evaluator, evaluations: await evaluator.evaluate(next, reusable ? { reusable } : {}) };
  }

  it('reorders the block in place, with the results of a copied batch and of one uncached pass', async () => {
    const copied = await evaluatedUpTo();
    const reused = await evaluatedUpTo(new Set(previous));
    expect(copied.evaluator.cache.reorderedInPlace).toBe(0);
    expect(reused.evaluator.cache.reorderedInPlace).toBe(1);
    // results come back in the order asked for, whatever rows the nodes took in the batch
    expect(reused.evaluations.map((e) => e.nodeId)).toEqual(next);
    for (const [i, e] of reused.evaluations.entries()) {
      expect(maxAbsDiff(e.logits, copied.evaluations[i]!.logits)).toBeLessThan(1e-5);
      const full = await fullPassLogprobs(reused.model, pathOf(prompt, beamLike, e.nodeId));
      expect(maxAbsDiff(e.logprobs, full[full.length - 1]!)).toBeLessThan(1e-4);
    }
    // the previous level's caches are gone (their rows were overwritten); the new level's are held and extend
    for (const id of previous) expect(reused.evaluator.cache.has(id)).toBe(false);
    for (const id of next) expect(reused.evaluator.cache.has(id)).toBe(true);
  });

  it('copies instead when a node outside the reusable set still has a row in the block', async () => {
    const { evaluator, evaluations } = await evaluatedUpTo(new Set([3, 5, 6]));
    expect(evaluator.cache.reorderedInPlace).toBe(0);
    expect(evaluator.cache.has(4)).toBe(true);
    expect(evaluations.map((e) => e.nodeId)).toEqual(next);
  });
});
