import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import { encodePrompt, runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { compileInterventions } from '../../../../src/main/engine/intervention/compile';
import { writeDirectionFile } from '../../../../src/main/engine/intervention/direction-file';
import { runFork } from '../../../../src/main/engine/intervention/fork';
import { logSoftmax } from '../../../../src/main/engine/math/log-softmax';
import type { TreeState } from '../../../../src/shared/tree';

const reference = JSON.parse(
  fs.readFileSync(path.join(__dirname, '../../../fixtures/steering/ontology-cot.json'), 'utf8'),
);
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-fork-'));
let model: LoadedModel;
let steer: ReturnType<typeof compileInterventions>;

beforeAll(async () => {
  model = await loadModel(path.join(resourcesFolder(), 'models/ontology-cot'));
  const file = path.join(scratch, 'd.json');
  writeDirectionFile(file, reference.direction);
  steer = compileInterventions(model, [{ kind: 'steer', direction: file, scale: reference.scale }]);
});
afterAll(async () => {
  await model.release();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const greedy = (maxNewTokens: number) => resolveStrategyConfig({ strategy: 'greedy', maxNewTokens, topkShown: 2 });

function pathIds(tree: TreeState, id: number): number[] {
  const out: number[] = [];
  for (let n = tree.nodes[id]!; n.parents.length > 0; n = tree.nodes[n.parents[0]!]!) out.unshift(n.id);
  return out;
}

/** Independent oracle: plain full pass over `plainIds`, then `steeredIds` fed with the steering on, from that cache. */
async function splitPass(
  plainIds: number[],
  steeredIds: number[],
  delta: Float32Array | undefined,
): Promise<Float64Array[]> {
  const h = model.info.hiddenSize!;
  const embed = (ids: number[]) => {
    const out = new Float32Array(ids.length * h);
    ids.forEach((t, i) => out.set(model.embeddings!.subarray(t * h, (t + 1) * h), i * h));
    return out;
  };
  const first = await model.decoder.forward({
    batch: 1,
    seq: plainIds.length,
    inputsEmbeds: embed(plainIds),
    past: null,
  });
  const second = await model.decoder.forward({
    batch: 1,
    seq: steeredIds.length,
    inputsEmbeds: embed(steeredIds),
    past: first.present,
    residualDelta: delta,
  });
  const vocab = model.info.vocabSize;
  return steeredIds.map((_, j) => logSoftmax(second.logits.subarray(j * vocab, (j + 1) * vocab)));
}

describe('fork under an intervention', () => {
  it('from the prompt equals a steered run (torch reference), and each token knows its unsteered log-probability', async () => {
    const example = reference.greedy[0];
    const base = await runSearch({ model, prompt: example.prompt, config: greedy(example.steered.length) });
    const fork = await runFork({
      model,
      prompt: example.prompt,
      config: greedy(example.steered.length),
      source: base.tree,
      nodeId: 0,
      intervention: steer,
      label: 'steer',
    });
    expect(fork.startId).toBe(0);
    const best = fork.result.nBest[0]!;
    expect(best.tokenIds).toEqual(example.steered.map((s: { token: number }) => s.token));
    const ids = pathIds(fork.tree, best.nodeId);
    expect(ids.every((id) => id >= fork.firstNewId && fork.tree.nodes[id]!.intervention === 'steer')).toBe(true);
    // the source tree is still there, untouched, as the unsteered sibling branch
    for (const id of base.tree.order) expect(fork.tree.nodes[id]).toEqual(base.tree.nodes[id]);
    // Δlogprob: the unsteered log-probability of the same token on the same path, from a plain full pass
    const promptIds = encodePrompt(model, example.prompt);
    const plain = await splitPass(
      promptIds.slice(0, 1),
      [...promptIds.slice(1), ...best.tokenIds.slice(0, -1)],
      undefined,
    );
    ids.forEach((id, j) => {
      const node = fork.tree.nodes[id]!;
      expect(Math.abs(node.logprob - example.steered[j].logprob)).toBeLessThan(1e-4);
      expect(Math.abs(node.plainLogprob! - plain[promptIds.length - 2 + j]![node.tokenId!]!)).toBeLessThan(1e-4);
    });
    expect(ids.some((id) => Math.abs(fork.tree.nodes[id]!.logprob - fork.tree.nodes[id]!.plainLogprob!) > 0.1)).toBe(
      true,
    );
    // counts cover the fork's own nodes
    expect(fork.stats.nodesCreated).toBe(fork.tree.order.length - fork.firstNewId);
  });

  it('from a token node steers only from that token on; the prefix stays plain', async () => {
    const example = reference.greedy[2];
    const base = await runSearch({ model, prompt: example.prompt, config: greedy(40) });
    const basePath = pathIds(base.tree, base.result.nBest[0]!.nodeId);
    const forkAt = basePath[5]!;
    const fork = await runFork({
      model,
      prompt: example.prompt,
      config: greedy(20),
      source: base.tree,
      nodeId: forkAt,
      intervention: steer,
      label: 'steer ×0.5',
    });
    const twin = fork.tree.nodes[fork.startId]!;
    expect(twin.parents).toEqual(base.tree.nodes[forkAt]!.parents);
    expect(twin.tokenId).toBe(base.tree.nodes[forkAt]!.tokenId);
    expect(twin.depth).toBe(base.tree.nodes[forkAt]!.depth);
    const ids = pathIds(fork.tree, fork.result.nBest[0]!.nodeId);
    expect(ids.slice(0, 5)).toEqual(basePath.slice(0, 5));
    expect(ids[5]).toBe(fork.startId);
    const grown = ids.slice(6);
    grown.forEach((id, j) => expect(fork.tree.nodes[id]!.depth).toBe(twin.depth + 1 + j));
    const promptIds = encodePrompt(model, example.prompt);
    const tokens = ids.map((id) => fork.tree.nodes[id]!.tokenId!);
    const steered = await splitPass([...promptIds, ...tokens.slice(0, 5)], tokens.slice(5, -1), steer.residualDelta);
    grown.forEach((id, j) =>
      expect(Math.abs(fork.tree.nodes[id]!.logprob - steered[j]![tokens[6 + j]!]!)).toBeLessThan(1e-4),
    );
    // with a zero intervention the fork retraces the source's greedy path
    const same = await runFork({
      model,
      prompt: example.prompt,
      config: greedy(20),
      source: base.tree,
      nodeId: forkAt,
      intervention: {},
      label: 'none',
    });
    const again = pathIds(same.tree, same.result.nBest[0]!.nodeId)
      .slice(6)
      .map((id) => same.tree.nodes[id]!);
    again.forEach((n, j) => {
      const original = base.tree.nodes[basePath[6 + j]!]!;
      expect(n.tokenId).toBe(original.tokenId);
      expect(Math.abs(n.logprob - original.logprob)).toBeLessThan(1e-5);
      expect(Math.abs(n.plainLogprob! - n.logprob)).toBeLessThan(1e-5);
    });
  });

  it('refuses a merged node (paths through continuous thoughts: thought-prefix.test.ts)', async () => {
    const bfs = await runSearch({
      model,
      prompt: reference.greedy[0].prompt,
      config: resolveStrategyConfig({
        strategy: 'bfs',
        width: 4,
        topK: 3,
        maxNewTokens: 12,
        merge: { kind: 'last-n', n: 1 },
      }),
    });
    const merged = bfs.tree.order.find((id) => bfs.tree.nodes[id]!.status === 'merged');
    expect(merged).toBeDefined();
    await expect(
      runFork({
        model,
        prompt: reference.greedy[0].prompt,
        config: greedy(4),
        source: bfs.tree,
        nodeId: merged!,
        intervention: steer,
        label: 's',
      }),
    ).rejects.toThrow(/was merged into node/);
  });
});
