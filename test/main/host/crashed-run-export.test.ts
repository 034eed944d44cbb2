import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../helpers/fixtures';
import { finished, startService, waitFor } from './service-harness';
import { resolveStrategyConfig } from '../../../src/shared/strategies';
import { parseExportFile } from '../../../src/shared/export-validate';

const { service, events } = startService();
afterAll(() => service.dispose());

describe('a run whose engine crashed', () => {
  it('exports the nodes it kept, marked as failed, and imports back as a failed run', async () => {
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
    const config = resolveStrategyConfig({ strategy: 'sampling', n: 100000, maxNewTokens: 60, temperature: 3 });
    const { runId } = await service.call('startRun', { prompt: 'b', config });
    await waitFor(() => events.some((e) => e.event === 'runPatches' && e.payload.runId === runId));
    await service.crashEngineForTest();
    expect((await finished(events, runId)).state).toBe('failed');
    const { tree } = await service.call('getTree', { runId });
    const file = parseExportFile(
      JSON.parse(JSON.stringify(await service.call('exportComparison', { runIds: [runId] }))),
    );
    const run = file.runs[0]!;
    expect(run.nodes.map((n) => n.id)).toEqual(tree.order);
    expect(run.error).toMatch(/engine process stopped .* were not recorded/);
    expect(run.result).toMatchObject({ bestText: '', bestScore: null, nBest: [], cancelled: true });
    expect(run.stats.nodesCreated).toBe(tree.order.length);
    expect(run.stats.nodesPruned + run.stats.nodesExpanded).toBeLessThanOrEqual(tree.order.length);
    const { runIds } = await service.call('importComparison', { file: JSON.parse(JSON.stringify(file)) });
    const imported = (await service.call('listRuns', {})).find((r) => r.runId === runIds[0]);
    expect(imported).toMatchObject({ state: 'failed', imported: true, error: run.error });
    const again = await service.call('exportComparison', { runIds });
    expect(again.runs[0]!.error).toBe(run.error);
    expect(again.runs[0]!.nodes).toEqual(run.nodes);
  });
});
