import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startupModelFolder } from '../../../src/main/host/default-folder';
import { fixturePath } from '../../helpers/fixtures';
import { finished, startService, treeFromEvents, waitFor } from './service-harness';
import { loadModel } from '../../../src/main/engine/model/load-model';
import { runSearch } from '../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../src/shared/strategies';

const { service, events } = startService({ cancelGraceMs: 20_000 });
afterAll(() => service.dispose());

describe('LabService over a forked engine process', () => {
  it('opens a model folder and refuses a bad one with the loader message', async () => {
    const info = await service.call('openModel', { folder: fixturePath('lab-tiny') });
    expect(info.vocabSize).toBe(8);
    await expect(service.call('openModel', { folder: fixturePath('no-such-model') })).rejects.toThrow(
      /model folder not found/,
    );
    await expect(service.call('openModel', { folder: fixturePath('bad-signature') })).rejects.toThrow(
      /bad-signature|input|output/i,
    );
    // the failed opens do not replace the working model
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
  });

  it('rejects invalid params before they reach the engine', async () => {
    await expect(
      service.request('startRun', { prompt: 'a', config: { strategy: 'beam', numBeams: 0 } }),
    ).rejects.toThrow(/startRun: config.numBeams/);
    await expect(service.request('dropTables', {})).rejects.toThrow(/unknown request/);
  });

  it("reports a strategy the model cannot run with the engine's own reason", async () => {
    await service.call('openModel', { folder: fixturePath('hf-gpt2-tiny') });
    const config = resolveStrategyConfig({ strategy: 'latent', mode: 'hidden' });
    const { runId } = await service.call('startRun', { prompt: 'a', config });
    const summary = await finished(events, runId);
    expect(summary.state).toBe('failed');
    expect(summary.error).toMatch(/latent cannot run on .*: the model lacks/);
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
  });

  it('streams a run whose patches rebuild exactly the engine tree, and the same result as a direct run', async () => {
    const config = resolveStrategyConfig({ strategy: 'beam', numBeams: 3, maxNewTokens: 6 });
    const { runId } = await service.call('startRun', { prompt: 'a b', config });
    const summary = await finished(events, runId);
    expect(summary.state).toBe('done');
    const { tree, seq } = await service.call('getTree', { runId });
    expect(treeFromEvents(events, runId)).toEqual(tree);
    expect(seq).toBe(events.filter((e) => e.event === 'runPatches' && e.payload.runId === runId).length - 1);

    const model = await loadModel(fixturePath('lab-tiny'));
    const direct = await runSearch({ model, prompt: 'a b', config });
    await model.release();
    expect(tree).toEqual(direct.tree);
    expect(summary.result!.bestText).toBe(direct.result.bestText);
    expect(summary.stats!.nodesCreated).toBe(direct.tree.order.length);
  });

  it("inspects a node: decoded path and a logit lens whose last layer is the model's own prediction", async () => {
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
    const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 3, topkShown: 3 });
    const { runId } = await service.call('startRun', { prompt: 'a b', config });
    const summary = await finished(events, runId);
    const { tree } = await service.call('getTree', { runId });
    const node = tree.nodes[summary.result!.nBest[0]!.nodeId]!;
    const parent = tree.nodes[node.parents[0]!]!;
    const inspected = await service.call('inspectNode', { runId, nodeId: parent.id });
    expect(inspected.lens).not.toBeNull();
    const last = inspected.lens![inspected.lens!.length - 1]!;
    expect(last.topk[0]!.tokenId).toBe(parent.topk![0]!.tokenId);
    expect(last.topk[0]!.logprob).toBeCloseTo(parent.topk![0]!.logprob, 4);
  });

  it('cancels a long run between steps and keeps its partial tree', async () => {
    const config = resolveStrategyConfig({ strategy: 'sampling', n: 100000, maxNewTokens: 60, temperature: 3 });
    const { runId } = await service.call('startRun', { prompt: 'a', config });
    await waitFor(() => events.some((e) => e.event === 'runPatches' && e.payload.runId === runId));
    const asked = performance.now();
    expect(await service.call('cancelRun', { runId })).toEqual({ cancelled: true });
    const summary = await finished(events, runId);
    expect(summary.state).toBe('cancelled');
    expect(summary.result!.cancelled).toBe(true);
    expect(performance.now() - asked).toBeLessThan(10_000);
    const { tree } = await service.call('getTree', { runId });
    expect(tree.order.length).toBeGreaterThan(1);
    expect(await service.call('cancelRun', { runId })).toEqual({ cancelled: false });
  });

  it('exports finished runs and imports them back as browsable runs with no model behind them', async () => {
    const ids: string[] = [];
    for (const strategy of ['greedy', 'beam'] as const) {
      const { runId } = await service.call('startRun', {
        prompt: 'c',
        config: resolveStrategyConfig({ strategy, maxNewTokens: 4 }),
      });
      await finished(events, runId);
      ids.push(runId);
    }
    const file = await service.call('exportComparison', { runIds: ids });
    expect(file.runs.map((r) => r.strategy)).toEqual(['greedy', 'beam']);
    const { runIds } = await service.call('importComparison', { file: JSON.parse(JSON.stringify(file)) });
    expect(runIds).toHaveLength(2);
    const original = await service.call('getTree', { runId: ids[1]! });
    const imported = await service.call('getTree', { runId: runIds[1]! });
    expect(imported.tree).toEqual(original.tree);
    const list = await service.call('listRuns', {});
    expect(list.find((r) => r.runId === runIds[0])).toMatchObject({ imported: true, state: 'done' });
    const leaf = file.runs[0]!.result.nBest[0]!.nodeId;
    const offline = await service.call('inspectNode', { runId: runIds[0]!, nodeId: leaf });
    const online = await service.call('inspectNode', { runId: ids[0]!, nodeId: leaf });
    expect(offline.pathText).toBe(online.pathText);
    expect(online.pathText).toBe(file.runs[0]!.result.bestText);

    const broken = JSON.parse(JSON.stringify(file));
    broken.runs[0].nodes[1].parents = [999];
    await expect(service.call('importComparison', { file: broken })).rejects.toThrow(
      /\$\.runs\[0\]\.nodes\[1\]\.parents\[0\]/,
    );
    await expect(service.call('exportComparison', { runIds: ['run-999'] })).rejects.toThrow(/no run run-999/);
    // runs on another model cannot share a file
    await service.call('openModel', { folder: fixturePath('hf-gpt2-tiny') });
    const other = await service.call('startRun', {
      prompt: 'c',
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 2 }),
    });
    await finished(events, other.runId);
    await expect(service.call('exportComparison', { runIds: [ids[0]!, other.runId] })).rejects.toThrow(/one model/);
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
  });

  it('runs a task example of the bundled model and judges its answer against the ground truth', async (ctx) => {
    const folder = startupModelFolder();
    if (!folder || !fs.existsSync(path.join(folder, 'task', 'test.jsonl'))) {
      console.log(`skipped: no bundled model with a task (${folder ?? 'none'})`);
      return ctx.skip();
    }
    await service.call('openModel', { folder });
    const examples = await service.call('taskExamples', { limit: 3 });
    expect(examples).toHaveLength(3);
    const { runId } = await service.call('startRun', {
      prompt: examples[0]!.prompt,
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 64 }),
      taskIndex: examples[0]!.index,
    });
    const summary = await finished(events, runId);
    expect(summary.task?.answer).toBe(examples[0]!.answer);
    expect(['correct', 'incorrect', 'malformed']).toContain(summary.result!.task!.verdict);
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
  });

  it('survives an engine crash: running work is reported, kept, and the engine comes back', async () => {
    const config = resolveStrategyConfig({ strategy: 'sampling', n: 100000, maxNewTokens: 60, temperature: 3 });
    const { runId } = await service.call('startRun', { prompt: 'b', config });
    await waitFor(() => events.some((e) => e.event === 'runPatches' && e.payload.runId === runId));
    await service.crashEngineForTest();
    const summary = await finished(events, runId);
    expect(summary.state).toBe('failed');
    expect(summary.error).toMatch(/engine process stopped.*nodes built so far are kept/);
    expect(events.some((e) => e.event === 'engineStatus' && e.payload.state === 'crashed')).toBe(true);
    expect(events.some((e) => e.event === 'engineStatus' && e.payload.state === 'restarted')).toBe(true);
    const { tree } = await service.call('getTree', { runId });
    expect(tree.order.length).toBeGreaterThan(1);
    // a new run works on the restarted engine, which reloads the model by folder
    const again = await service.call('startRun', {
      prompt: 'a',
      config: resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 3 }),
    });
    expect((await finished(events, again.runId)).state).toBe('done');
  });
});
