import { afterAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../helpers/fixtures';
import { finished, startService } from './service-harness';
import { resolveStrategyConfig } from '../../../src/shared/strategies';

const { service, events } = startService();
afterAll(() => service.dispose());

describe('importing comparison files into the service', () => {
  it('import → export keeps run ids and labels, without stacking "(imported)"', async () => {
    await service.call('openModel', { folder: fixturePath('lab-tiny') });
    const ids: string[] = [];
    for (const strategy of ['greedy', 'bfs'] as const) {
      const { runId } = await service.call('startRun', {
        prompt: 'c',
        config: resolveStrategyConfig({ strategy, maxNewTokens: 3 }),
      });
      await finished(events, runId);
      ids.push(runId);
    }
    const file = await service.call('exportComparison', { runIds: ids });
    let current = file;
    for (let round = 0; round < 2; round++) {
      const { runIds } = await service.call('importComparison', { file: JSON.parse(JSON.stringify(current)) });
      expect(runIds.some((id) => ids.includes(id))).toBe(false);
      const again = await service.call('exportComparison', { runIds });
      expect(again.runs.map((r) => [r.id, r.label])).toEqual(file.runs.map((r) => [r.id, r.label]));
      expect(again.runs.map((r) => r.nodes)).toEqual(file.runs.map((r) => r.nodes));
      current = again;
    }
    const labels = (await service.call('listRuns', {})).map((r) => r.label);
    expect(labels.some((l) => l.includes('(imported)'))).toBe(false);
    // two imports of one file exported together: the ids in one file stay unique
    const all = (await service.call('listRuns', {})).filter((r) => r.imported).map((r) => r.runId);
    const both = await service.call('exportComparison', { runIds: all });
    expect(new Set(both.runs.map((r) => r.id)).size).toBe(all.length);
  });

  it('a failed import adds nothing, and listRuns keeps working', async () => {
    const ids = (await service.call('listRuns', {})).filter((r) => !r.imported).map((r) => r.runId);
    const file = await service.call('exportComparison', { runIds: ids });
    const before = await service.call('listRuns', {});
    let deep: unknown = 1;
    for (let d = 0; d < 100_000; d++) deep = [deep];
    const broken = [
      // the first run is fine, the second one is not: neither may be added
      (f: any) => (f.runs[1].nodes[2].parents = [f.runs[1].nodes[2].id]),
      (f: any) => (f.runs[1].result.analysis = { deep }),
      (f: any) => (f.runs[1].stats.peakRss = 1),
      (f: any) => (f.runs[1].nodes[1].tokenId = 5_000_000),
    ];
    for (const mutate of broken) {
      const copy = JSON.parse(JSON.stringify(file));
      mutate(copy);
      await expect(service.call('importComparison', { file: copy })).rejects.toThrow(/^cannot import: \$\.runs\[1\]/);
      expect(await service.call('listRuns', {})).toEqual(before);
    }
  });
});
