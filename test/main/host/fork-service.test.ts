import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { finished, startService, treeFromEvents } from './service-harness';
import { resourcesFolder } from '../../../src/main/engine/model/default-model';
import { resolveIntervention } from '../../../src/main/host/directions';
import { fixturePath } from '../../helpers/fixtures';

const { service, events } = startService({ cancelGraceMs: 20_000 });
afterAll(() => service.dispose());
const bundled = path.join(resourcesFolder(), 'models/ontology-cot');
const DIRECTION = 'flilkpus-minus-flaipus.json';

function pathIds(tree: { nodes: Record<number, { parents: number[] }> }, id: number): number[] {
  const out: number[] = [];
  for (let n = id; tree.nodes[n]!.parents.length > 0; n = tree.nodes[n]!.parents[0]!) out.unshift(n);
  return out;
}

describe('forks under an intervention through the LabApi', () => {
  it("lists the model's directions, forks a node, and inspects the modified stream", async () => {
    await service.call('openModel', { folder: bundled });
    const directions = await service.call('listDirections', {});
    const shipped = directions.find((d) => d.name === DIRECTION);
    expect(shipped).toMatchObject({ model: 'ontology-cot', hiddenSize: 128, layers: [2, 3] });
    expect(shipped!.norms[0]).toBeGreaterThan(1);

    const [example] = await service.call('taskExamples', { limit: 1 });
    const { runId } = await service.call('startRun', {
      prompt: example!.prompt,
      taskIndex: 0,
      config: { strategy: 'greedy', topkShown: 3 },
    });
    const source = await finished(events, runId);
    expect(source.state).toBe('done');
    const { tree: sourceTree } = await service.call('getTree', { runId });
    const nodeId = pathIds(sourceTree, source.result!.nBest[0]!.nodeId)[3]!;

    const intervention = { kind: 'steer' as const, direction: DIRECTION, scale: 0.5, layers: [2] };
    const fork = await service.call('forkRun', {
      runId,
      nodeId,
      config: { strategy: 'greedy', topkShown: 3 },
      intervention,
    });
    const summary = await finished(events, fork.runId);
    expect(summary.error).toBeUndefined();
    expect(summary.state).toBe('done');
    expect(summary.forkOf).toEqual({ runId, nodeId });
    expect(summary.intervention).toMatchObject(intervention);
    expect(summary.label).toMatch(/→ fork: greedy at .* · steer ×0.5 flilkpus-minus-flaipus.json L2/);
    const { tree } = await service.call('getTree', { runId: fork.runId });
    expect(treeFromEvents(events, fork.runId)).toEqual(tree);
    // the source tree is all there, and the fork's nodes are marked and carry their unsteered log-probability
    for (const id of sourceTree.order) expect(tree.nodes[id]!.tokenId).toBe(sourceTree.nodes[id]!.tokenId);
    const fresh = tree.order.filter((id) => id >= sourceTree.order.length).map((id) => tree.nodes[id]!);
    expect(fresh.length).toBeGreaterThan(3);
    expect(
      fresh.every(
        (n) => n.intervention === 'steer ×0.5 flilkpus-minus-flaipus.json L2' && n.plainLogprob !== undefined,
      ),
    ).toBe(true);
    const twin = fresh[0]!;
    expect(twin.parents).toEqual(sourceTree.nodes[nodeId]!.parents);

    // the lens of a steered node reads the modified stream: its last layer is the steered prediction
    const steeredChild = fresh.find((n) => n.parents[0] === twin.id && n.status !== 'pruned')!;
    const inspected = await service.call('inspectNode', { runId: fork.runId, nodeId: steeredChild.id });
    const last = inspected.lens![inspected.lens!.length - 1]!;
    expect(last.topk[0]!.tokenId).toBe(steeredChild.topk![0]!.tokenId);
    expect(Math.abs(last.topk[0]!.logprob - steeredChild.topk![0]!.logprob)).toBeLessThan(1e-4);
    // the same position without the intervention predicts differently
    const plainTwin = sourceTree.nodes[pathIds(sourceTree, source.result!.nBest[0]!.nodeId)[4]!]!;
    expect(plainTwin.tokenId).toBe(steeredChild.tokenId);
    expect(Math.abs(plainTwin.topk![1]!.logprob - steeredChild.topk![1]!.logprob)).toBeGreaterThan(1e-3);
  }, 120_000);

  it('refuses directions outside the model folder, and interventions the graph cannot take', async () => {
    await service.call('openModel', { folder: bundled });
    const config = { strategy: 'greedy', maxNewTokens: 3 };
    await expect(
      service.call('startRun', {
        prompt: 'tom is a',
        config,
        intervention: { kind: 'steer', direction: '../config.json', scale: 1 },
      }),
    ).rejects.toThrow(/must be a file name/);
    await expect(
      service.call('startRun', {
        prompt: 'tom is a',
        config,
        intervention: { kind: 'steer', direction: 'nope.json', scale: 1 },
      }),
    ).rejects.toThrow(/has no direction nope.json/);
    const info = await service.call('openModel', { folder: bundled });
    expect(() =>
      resolveIntervention(
        { ...info, capabilities: { ...info.capabilities, ablation: false } },
        { kind: 'ablate', direction: DIRECTION, scale: 1 },
      ),
    ).toThrow(/ablation is not supported by this graph/);
    expect(() =>
      resolveIntervention({ ...info, name: 'other' }, { kind: 'steer', direction: DIRECTION, scale: 1 }),
    ).toThrow(/made on model "ontology-cot", not "other"/);
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
    await expect(
      service.call('startRun', {
        prompt: 'a',
        config,
        intervention: { kind: 'ablate', direction: DIRECTION, scale: 1 },
      }),
    ).rejects.toThrow(/lab-tiny has no direction/);
  });
});
