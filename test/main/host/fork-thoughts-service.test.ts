import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finished, startService } from './service-harness';
import { resourcesFolder } from '../../../src/main/engine/model/default-model';
import { pathTo as pathIds } from '../../../src/shared/tree-sync';

const { service, events } = startService({ cancelGraceMs: 20_000 });
afterAll(() => service.dispose());
const bundled = path.join(resourcesFolder(), 'models/ontology-cot');

describe('forks through continuous thoughts through the LabApi', () => {
  it("rebuilds the thoughts with the first run's latent settings: a fork, an imported copy (refused when another model made it), a fork of a fork", async () => {
    await service.call('openModel', { folder: bundled });
    const [example] = await service.call('taskExamples', { limit: 1 });
    // top-p 0.5 is not the default: a fork that did not know the run's settings would rebuild other thoughts
    const { runId } = await service.call('startRun', {
      prompt: example!.prompt,
      config: { strategy: 'latent', mode: 'mixture', thoughts: 2, topP: 0.5, maxNewTokens: 12, topkShown: 3 },
    });
    const source = await finished(events, runId);
    expect(source.state).toBe('done');
    const { tree: sourceTree } = await service.call('getTree', { runId });
    const best = pathIds(sourceTree, source.result!.nBest[0]!.nodeId);
    const afterThoughts = best.find((id) => sourceTree.nodes[id]!.kind === 'token')!;
    expect(sourceTree.nodes[sourceTree.nodes[afterThoughts]!.parents[0]!]!.kind).toBe('thought');

    const intervention = { kind: 'steer' as const, direction: 'flilkpus-minus-flaipus.json', scale: 0.5, layers: [2] };
    const fork = await service.call('forkRun', {
      runId,
      nodeId: afterThoughts,
      config: { strategy: 'greedy', maxNewTokens: 6 },
      intervention,
    });
    const forked = await finished(events, fork.runId);
    expect(forked.error).toBeUndefined();
    expect(forked.state).toBe('done');
    const { tree } = await service.call('getTree', { runId: fork.runId });
    const fresh = tree.order.filter((id) => id >= sourceTree.order.length).map((id) => tree.nodes[id]!);
    expect(fresh.every((n) => n.intervention !== undefined && n.plainLogprob !== undefined)).toBe(true);

    // an imported copy forks the same way; one whose thoughts another model made is refused, saying why
    const file = await service.call('exportComparison', { runIds: [runId] });
    const [copy] = (await service.call('importComparison', { file })).runIds;
    const tampered = structuredClone(file);
    const thoughtNode = tampered.runs[0]!.nodes.find((n) => n.kind === 'thought')!;
    thoughtNode.latent!.topk[0]!.logprob -= 0.5;
    const [other] = (await service.call('importComparison', { file: tampered })).runIds;
    for (const [id, error] of [
      [copy!, undefined],
      [
        other!,
        /the continuous thought at node \d+ cannot be rebuilt on ontology-cot: replaying its path gives another thought/,
      ],
    ] as const) {
      const imported = await service.call('forkRun', {
        runId: id,
        nodeId: afterThoughts,
        config: { strategy: 'greedy', maxNewTokens: 3 },
        intervention,
      });
      const done = await finished(events, imported.runId);
      if (error) expect(done.error).toMatch(error);
      else expect(done.error).toBeUndefined();
    }

    // a fork of the fork, through the same (unmarked) thoughts: the settings come from the first run of the chain
    const again = await service.call('forkRun', {
      runId: fork.runId,
      nodeId: afterThoughts,
      config: { strategy: 'greedy', maxNewTokens: 3 },
    });
    const second = await finished(events, again.runId);
    expect(second.error).toBeUndefined();
    expect(second.state).toBe('done');
  }, 60_000);

  it("inspects a fork's nodes after steered thoughts: the lens reads the stream the fork evaluated", async () => {
    await service.call('openModel', { folder: bundled });
    const [example] = await service.call('taskExamples', { limit: 1 });
    const latent = { strategy: 'latent', mode: 'mixture', thoughts: 2, topP: 0.5, maxNewTokens: 8, topkShown: 3 };
    const { runId } = await service.call('startRun', { prompt: example!.prompt, config: latent });
    const source = await finished(events, runId);
    const { tree: sourceTree } = await service.call('getTree', { runId });
    const thought = pathIds(sourceTree, source.result!.nBest[0]!.nodeId).find(
      (id) => sourceTree.nodes[id]!.kind === 'thought',
    )!;
    const intervention = { kind: 'steer' as const, direction: 'flilkpus-minus-flaipus.json', scale: 0.5, layers: [2] };
    // from the prompt with thoughts of its own (grown under the direction), and from a thought (its steered twin)
    for (const [nodeId, config] of [
      [sourceTree.rootId, latent],
      [thought, { strategy: 'greedy', maxNewTokens: 4, topkShown: 3 }],
    ] as const) {
      const fork = await service.call('forkRun', { runId, nodeId, config, intervention });
      const done = await finished(events, fork.runId);
      expect(done.error).toBeUndefined();
      const { tree } = await service.call('getTree', { runId: fork.runId });
      const ids = pathIds(tree, done.result!.nBest[0]!.nodeId);
      const afterThought = ids.find((id) => tree.nodes[id]!.kind === 'token' && id >= sourceTree.order.length)!;
      expect(tree.nodes[tree.nodes[afterThought]!.parents[0]!]!.kind).toBe('thought');
      for (const id of [afterThought, ids.at(-2)!]) {
        const node = tree.nodes[id]!;
        const inspected = await service.call('inspectNode', { runId: fork.runId, nodeId: id });
        const last = inspected.lens![inspected.lens!.length - 1]!;
        const top = last.topk.slice(0, node.topk!.length);
        expect(top.map((t) => t.tokenId)).toEqual(node.topk!.map((t) => t.tokenId));
        top.forEach((t, k) => expect(Math.abs(t.logprob - node.topk![k]!.logprob)).toBeLessThan(1e-4));
      }
    }
  }, 60_000);
});
