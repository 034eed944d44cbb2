import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import type { KvTensors } from '../../../../src/main/engine/model/kv-tensors';
import { encodePrompt, runSearch, type RunOutput } from '../../../../src/main/engine/search/run-search';
import { LatentConfigSchema, resolveStrategyConfig } from '../../../../src/shared/strategies';
import { compileInterventions, type ResidualInputs } from '../../../../src/main/engine/intervention/compile';
import { makeDirection } from '../../../../src/main/engine/intervention/make-direction';
import { ForkRefusedError, runFork, type ForkOutput } from '../../../../src/main/engine/intervention/fork';
import { forkPathThoughtInputs, rebuildForkPrefix } from '../../../../src/main/engine/intervention/thought-prefix';
import { logSoftmax } from '../../../../src/main/engine/math/log-softmax';
import type { TreeState } from '../../../../src/shared/tree';
import { pathTo as pathIds } from '../../../../src/shared/tree-sync';

const FOLDER = path.join(resourcesFolder(), 'models/ontology-coconut');
const example = JSON.parse(fs.readFileSync(path.join(FOLDER, 'task/test.jsonl'), 'utf8').split('\n')[0]!) as {
  prompt: string;
};
const THOUGHTS = 3;
const latentConfig = LatentConfigSchema.parse({
  strategy: 'latent',
  mode: 'hidden',
  thoughts: THOUGHTS,
  maxNewTokens: 40,
  topkShown: 3,
});
const greedy = (maxNewTokens: number) => resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 3 });

let model: LoadedModel;
let steer: ResidualInputs;
let zero: ResidualInputs;
let base: RunOutput;
let promptIds: number[];
/** ids of the latent run's path: the prompt, <bot>, the thoughts, <eot>, the answer */
let basePath: number[];
let eotId: number;
let thoughtIds: number[];

const embedTokens = (ids: number[]): Float32Array[] => {
  const h = model.info.hiddenSize!;
  return ids.map((t) => model.embeddings!.slice(t * h, (t + 1) * h));
};

/** one forward pass of raw embedding rows, from `past` (plain unless `delta` is given) */
async function pass(rows: Float32Array[], past: KvTensors | null, intervention: ResidualInputs = {}) {
  const h = model.info.hiddenSize!;
  const inputsEmbeds = new Float32Array(rows.length * h);
  rows.forEach((r, i) => inputsEmbeds.set(r, i * h));
  const out = await model.decoder.forward({ batch: 1, seq: rows.length, inputsEmbeds, past, ...intervention });
  const vocab = model.info.vocabSize;
  return {
    present: out.present,
    logprobs: rows.map((_, i) => logSoftmax(out.logits.subarray(i * vocab, (i + 1) * vocab))),
    lastHidden: rows.map((_, i) => out.lastHidden!.slice(i * h, (i + 1) * h)),
  };
}

/**
 * Independent oracle for Coconut's thoughts: one uncached pass over the whole sequence so far per thought,
 * whose last position's final hidden state is the next input (no evaluator, no KV cache, no tree).
 */
async function handThoughts(): Promise<Float32Array[]> {
  const bot = model.tokenizer.tokenId('<bot>')!;
  const rows = embedTokens([...promptIds, bot]);
  const thoughts: Float32Array[] = [];
  for (let i = 0; i < THOUGHTS; i++) {
    const out = await pass(rows, null);
    const next = out.lastHidden[rows.length - 1]!;
    thoughts.push(next);
    rows.push(next);
  }
  return thoughts;
}

/** Maps each node of the fork's subtree under `twin` to the source's node under `original`, by token. */
function matchSubtrees(fork: TreeState, twin: number, source: TreeState, original: number): [number, number][] {
  const children = (tree: TreeState, id: number) => tree.order.filter((c) => tree.nodes[c]!.parents[0] === id);
  const pairs: [number, number][] = [[twin, original]];
  for (let i = 0; i < pairs.length; i++) {
    const [f, s] = pairs[i]!;
    const mine = children(fork, f);
    const theirs = children(source, s);
    expect(mine.map((c) => fork.nodes[c]!.tokenId)).toEqual(theirs.map((c) => source.nodes[c]!.tokenId));
    mine.forEach((c, k) => pairs.push([c, theirs[k]!]));
  }
  return pairs;
}

const fork = (nodeId: number, intervention: ResidualInputs, label: string, config = greedy(40)) =>
  runFork({ model, prompt: example.prompt, config, source: base.tree, nodeId, intervention, label });

beforeAll(async () => {
  model = await loadModel(FOLDER);
  const direction = await makeDirection(model, {
    positive: ['ned is a flilkpus .', 'tom is a flilkpus .'],
    negative: ['ned is a flaipus .', 'tom is a flaipus .'],
    layers: [2],
  });
  const zeros = { ...direction, layers: { '2': direction.layers['2']!.map(() => 0) } };
  const files = new Map([
    ['d.json', direction],
    ['zero.json', zeros],
  ]);
  steer = compileInterventions(model, [{ kind: 'steer', direction: 'd.json', scale: 0.5 }], files);
  zero = compileInterventions(model, [{ kind: 'steer', direction: 'zero.json', scale: 1 }], files);
  promptIds = encodePrompt(model, example.prompt);
  base = await runSearch({ model, prompt: example.prompt, config: latentConfig });
  basePath = pathIds(base.tree, base.result.nBest[0]!.nodeId);
  thoughtIds = basePath.filter((id) => base.tree.nodes[id]!.kind === 'thought');
  eotId = basePath[basePath.indexOf(thoughtIds[THOUGHTS - 1]!) + 1]!;
});
afterAll(async () => {
  await model.release();
});

describe('forks through continuous thoughts (ontology-coconut, hidden mode)', () => {
  it('replays the thoughts of the path: the inputs equal a hand-made Coconut loop, the readouts the recorded ones', async () => {
    expect(thoughtIds).toHaveLength(THOUGHTS);
    expect(base.tree.nodes[eotId]!.text).toBe('<eot>');
    const prefix = await rebuildForkPrefix(model, base.tree, promptIds, eotId, latentConfig, {});
    const hand = await handThoughts();
    let maxDiff = 0;
    thoughtIds.forEach((id, i) => {
      const rebuilt = prefix.inputs.get(id)!;
      expect(rebuilt).toHaveLength(model.info.hiddenSize!);
      rebuilt.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - hand[i]![j]!))));
    });
    // uncached full passes vs cached one-position passes: summation order only
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('a zero direction from the node after the thoughts reproduces the source subtree', async () => {
    const out = await fork(eotId, zero, 'zero');
    const pairs = matchSubtrees(out.tree, out.startId, base.tree, eotId);
    const underEot = base.tree.order.filter((id) => pathIds(base.tree, id).includes(eotId));
    expect(pairs.length).toBe(underEot.length);
    // bit for bit: the prefix is replayed one node per pass as the run made it, so no summation order changes
    for (const [f, s] of pairs) {
      const a = out.tree.nodes[f]!;
      const b = base.tree.nodes[s]!;
      expect(a.intervention).toBe('zero');
      expect(a.logprob).toBe(b.logprob);
      expect(a.plainLogprob).toBe(b.logprob);
      expect(a.entropy).toBe(b.entropy);
      expect(a.topk).toEqual(b.topk);
    }
    expect(out.result.nBest[0]!.text).toBe(base.result.nBest[0]!.text);
  });

  it('a direction after the thoughts: steered tokens equal a split-pass oracle on hand-replayed thoughts, Δ against the plain path', async () => {
    const out = await fork(eotId, steer, 'steer');
    const ids = pathIds(out.tree, out.result.nBest[0]!.nodeId);
    expect(ids.slice(0, basePath.indexOf(eotId))).toEqual(basePath.slice(0, basePath.indexOf(eotId)));
    const grown = ids.slice(ids.indexOf(out.startId) + 1);
    const tokens = grown.map((id) => out.tree.nodes[id]!.tokenId!);
    const eot = base.tree.nodes[eotId]!.tokenId!;
    const bot = model.tokenizer.tokenId('<bot>')!;
    const prefixRows = [...embedTokens([...promptIds, bot]), ...(await handThoughts())];
    // a greedy run from the replayed prefix with the direction on from <eot>: each token is the steered argmax
    const plainPrefix = await pass(prefixRows, null);
    const steered = await pass(embedTokens([eot, ...tokens.slice(0, -1)]), plainPrefix.present, steer);
    const plainPath = await pass([...prefixRows, ...embedTokens([eot, ...tokens.slice(0, -1)])], null);
    let changed = 0;
    grown.forEach((id, j) => {
      const node = out.tree.nodes[id]!;
      const lp = steered.logprobs[j]!;
      expect(lp.indexOf(Math.max(...lp))).toBe(node.tokenId);
      expect(Math.abs(node.logprob - lp[node.tokenId!]!)).toBeLessThan(1e-4);
      const plain = plainPath.logprobs[prefixRows.length + j]![node.tokenId!]!;
      expect(Math.abs(node.plainLogprob! - plain)).toBeLessThan(1e-4);
      changed = Math.max(changed, Math.abs(node.logprob - node.plainLogprob!));
    });
    expect(changed).toBeGreaterThan(0.01);
    // the same fork without the direction's effect differs: the direction changed the subtree's numbers
    const differs = grown.some((id, j) => {
      const original = base.tree.nodes[basePath[basePath.indexOf(eotId) + 1 + j]!];
      return (
        !original ||
        original.tokenId !== out.tree.nodes[id]!.tokenId ||
        original.logprob !== out.tree.nodes[id]!.logprob
      );
    });
    expect(differs).toBe(true);
  });

  it('soft thinking: mixture thoughts (top-p 0.5) rebuilt from the run settings, a zero fork after them bit for bit', async () => {
    const mixture = LatentConfigSchema.parse({
      strategy: 'latent',
      mode: 'mixture',
      thoughts: 2,
      topP: 0.5,
      maxNewTokens: 12,
      topkShown: 3,
    });
    const soft = await runSearch({ model, prompt: example.prompt, config: mixture });
    const softPath = pathIds(soft.tree, soft.result.nBest[0]!.nodeId);
    const lastThought = softPath.findLast((id) => soft.tree.nodes[id]!.kind === 'thought')!;
    const after = softPath[softPath.indexOf(lastThought) + 1]!;
    const out = await runFork({
      model,
      prompt: example.prompt,
      config: greedy(12),
      source: soft.tree,
      nodeId: after,
      intervention: zero,
      label: 'zero',
      thoughts: mixture,
    });
    const pairs = matchSubtrees(out.tree, out.startId, soft.tree, after);
    expect(pairs.length).toBeGreaterThan(3);
    for (const [f, s] of pairs) {
      expect(out.tree.nodes[f]!.logprob).toBe(soft.tree.nodes[s]!.logprob);
      expect(out.tree.nodes[f]!.plainLogprob).toBe(soft.tree.nodes[s]!.logprob);
    }
  });

  it('forking a thought recomputes its input with the intervention on at its parent, and zero gives the source thought back', async () => {
    const at = thoughtIds[1]!;
    const parent = thoughtIds[0]!;
    const still = await rebuildForkPrefix(model, base.tree, promptIds, at, latentConfig, zero);
    const none = await rebuildForkPrefix(model, base.tree, promptIds, at, latentConfig, {});
    expect(still.twin!.input).toEqual(none.twin!.input);
    expect(still.twin!.latent).toEqual(base.tree.nodes[at]!.latent);
    const moved = await rebuildForkPrefix(model, base.tree, promptIds, at, latentConfig, steer);
    // oracle: the prefix before the parent plain, the parent's position alone under the direction
    const bot = model.tokenizer.tokenId('<bot>')!;
    const [t1] = await handThoughts();
    const before = await pass(embedTokens([...promptIds, bot]), null);
    const reread = await pass([t1!], before.present, steer);
    const expected = reread.lastHidden[0]!;
    const diff = Math.max(...moved.twin!.input.map((v, j) => Math.abs(v - expected[j]!)));
    expect(diff).toBeLessThan(1e-4);
    const shift = Math.max(...moved.twin!.input.map((v, j) => Math.abs(v - none.twin!.input[j]!)));
    expect(shift).toBeGreaterThan(1e-2);

    const out: ForkOutput = await fork(at, steer, 'steer', greedy(6));
    const twin = out.tree.nodes[out.startId]!;
    expect(twin.kind).toBe('thought');
    expect(twin.parents).toEqual([parent]);
    expect(twin.intervention).toBe('steer');
    expect(twin.latent!.entropy).not.toBeCloseTo(base.tree.nodes[at]!.latent!.entropy, 6);
    // the twin's children: steered from the twin on; their plain log-probabilities follow the source thought
    const ids = pathIds(out.tree, out.result.nBest[0]!.nodeId);
    const grown = ids.slice(ids.indexOf(out.startId) + 1);
    const tokens = grown.map((id) => out.tree.nodes[id]!.tokenId!);
    const plainParent = await pass([...embedTokens([...promptIds, bot]), t1!], null);
    const steered = await pass([moved.twin!.input, ...embedTokens(tokens.slice(0, -1))], plainParent.present, steer);
    const [, t2] = await handThoughts();
    const plain = await pass([t2!, ...embedTokens(tokens.slice(0, -1))], plainParent.present);
    grown.forEach((id, j) => {
      const node = out.tree.nodes[id]!;
      expect(Math.abs(node.logprob - steered.logprobs[j]![node.tokenId!]!)).toBeLessThan(1e-4);
      expect(Math.abs(node.plainLogprob! - plain.logprobs[j]![node.tokenId!]!)).toBeLessThan(1e-4);
    });
    // the inspector's rebuild of the fork's path gives the twin the input the fork fed it
    const again = await forkPathThoughtInputs(model, out.tree, promptIds, grown.at(-1)!, {
      intervention: steer,
      steered: (id) => out.tree.nodes[id]!.intervention !== undefined,
      sourceRecipe: latentConfig,
      forkRecipe: latentConfig,
    });
    expect(again.get(out.startId)).toEqual(moved.twin!.input);
    expect(again.get(parent)).toEqual(none.inputs.get(parent));
    // with a zero direction the twin evaluates as the source thought did
    const same = await fork(at, zero, 'zero', greedy(2));
    const sameTwin = same.tree.nodes[same.startId]!;
    expect(sameTwin.entropy).toBe(base.tree.nodes[at]!.entropy);
    expect(sameTwin.topk).toEqual(base.tree.nodes[at]!.topk);
  });

  it('a latent fork of the prompt equals a latent run with the direction from scratch; Δ recomputes its thoughts plain', async () => {
    const out = await fork(base.tree.rootId, steer, 'steer', latentConfig);
    const scratch = await runSearch({ model, prompt: example.prompt, config: latentConfig, ...steer });
    const forked = pathIds(out.tree, out.result.nBest[0]!.nodeId).filter((id) => id >= out.firstNewId);
    const fresh = pathIds(scratch.tree, scratch.result.nBest[0]!.nodeId).slice(1);
    expect(forked.map((id) => out.tree.nodes[id]!.tokenId)).toEqual(fresh.map((id) => scratch.tree.nodes[id]!.tokenId));
    forked.forEach((id, j) => expect(out.tree.nodes[id]!.logprob).toBe(scratch.tree.nodes[fresh[j]!]!.logprob));
    // the plain path of the steered answer: the same tokens after the plain thoughts
    const tokens = forked.map((id) => out.tree.nodes[id]!.tokenId).filter((t): t is number => t !== null);
    const bot = model.tokenizer.tokenId('<bot>')!;
    const rows = [...embedTokens([...promptIds, bot]), ...(await handThoughts()), ...embedTokens(tokens.slice(1, -1))];
    const plain = await pass(rows, null);
    const answer = forked.filter((id) => out.tree.nodes[id]!.kind === 'token').slice(2);
    expect(answer.length).toBeGreaterThan(3);
    answer.forEach((id, j) => {
      const node = out.tree.nodes[id]!;
      expect(
        Math.abs(node.plainLogprob! - plain.logprobs[promptIds.length + THOUGHTS + 1 + j]![node.tokenId!]!),
      ).toBeLessThan(1e-4);
    });
  });

  it('refuses what cannot be rebuilt: a thought grown under another intervention, another model, other mixture settings', async () => {
    const steeredRun = await fork(base.tree.rootId, steer, 'steer', latentConfig);
    const after = pathIds(steeredRun.tree, steeredRun.result.nBest[0]!.nodeId).at(-2)!;
    await expect(
      runFork({
        model,
        prompt: example.prompt,
        config: greedy(4),
        source: steeredRun.tree,
        nodeId: after,
        intervention: zero,
        label: 'z',
      }),
    ).rejects.toThrow(/grown under "steer": its input cannot be rebuilt without that intervention/);

    const mixture = LatentConfigSchema.parse({
      strategy: 'latent',
      mode: 'mixture',
      thoughts: 2,
      topP: 0.5,
      maxNewTokens: 8,
    });
    const soft = await runSearch({ model, prompt: example.prompt, config: mixture });
    const last = soft.tree.order.at(-1)!;
    const forkSoft = (thoughts?: typeof mixture) =>
      runFork({
        model,
        prompt: example.prompt,
        config: greedy(3),
        source: soft.tree,
        nodeId: last,
        intervention: steer,
        label: 's',
        ...(thoughts ? { thoughts } : {}),
      });
    await expect(forkSoft()).rejects.toThrow(/cannot be rebuilt on ontology-coconut.*other mixture settings/);
    await expect(forkSoft()).rejects.toBeInstanceOf(ForkRefusedError);
    expect((await forkSoft(mixture)).result.nBest.length).toBeGreaterThan(0);

    const cot = await loadModel(path.join(resourcesFolder(), 'models/ontology-cot'));
    try {
      const other = await runSearch({ model: cot, prompt: example.prompt, config: mixture });
      await expect(
        runFork({
          model,
          prompt: example.prompt,
          config: greedy(3),
          source: other.tree,
          nodeId: other.tree.order.at(-1)!,
          intervention: steer,
          label: 's',
          thoughts: mixture,
        }),
      ).rejects.toThrow(
        /thought at node \d+ cannot be rebuilt on ontology-coconut: replaying its path gives another thought/,
      );
    } finally {
      await cot.release();
    }
  });
});
