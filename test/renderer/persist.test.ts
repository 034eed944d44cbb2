import { describe, expect, it } from 'vitest';
import { loadUi, restoreDrafts, saveUi, snapshotUi } from '../../src/renderer/src/lib/form/persist';
import { configFromFields, strategyFields } from '../../src/renderer/src/lib/form/strategy-fields';

function memoryStorage() {
  const items = new Map<string, string>();
  return {
    getItem: (k: string) => items.get(k) ?? null,
    setItem: (k: string, v: string) => void items.set(k, v),
    items,
  };
}

describe('UI settings across a reload', () => {
  it('restore the prompt, the forms as typed (variant kinds and parameters too) and the ticks', () => {
    const beam = strategyFields('beam');
    beam.find((f) => f.key === 'numBeams')!.value = '7';
    const bfs = strategyFields('bfs');
    const merge = bfs.find((f) => f.key === 'merge')!;
    merge.value = '"last-n"';
    merge.variants!['"last-n"']![0]!.value = '3';
    const storage = memoryStorage();
    saveUi(
      storage,
      snapshotUi({
        prompt: 'tom is a wumpus .',
        taskIndex: 4,
        drafts: [
          { strategy: 'beam', label: 'wide', fields: beam },
          { strategy: 'bfs', label: '', fields: bfs },
        ],
        exportChecked: { 'run-1': true, 'run-2': false },
      }),
    );
    const saved = loadUi(storage)!;
    expect(saved.prompt).toBe('tom is a wumpus .');
    expect(saved.taskIndex).toBe(4);
    expect(saved.exportChecked).toEqual({ 'run-1': true, 'run-2': false });
    const drafts = restoreDrafts(saved);
    expect(drafts.map((d) => [d.strategy, d.label])).toEqual([
      ['beam', 'wide'],
      ['bfs', ''],
    ]);
    expect(configFromFields('beam', drafts[0]!.fields)).toMatchObject({ ok: true, config: { numBeams: 7 } });
    expect(configFromFields('bfs', drafts[1]!.fields)).toMatchObject({
      ok: true,
      config: { merge: { kind: 'last-n', n: 3 } },
    });
  });

  it('ignore what they cannot read: no save, broken JSON, unknown strategies and choices', () => {
    expect(loadUi(memoryStorage())).toBeNull();
    const storage = memoryStorage();
    storage.setItem('lattice-lab:ui', '{oops');
    expect(loadUi(storage)).toBeNull();
    const drafts = restoreDrafts({
      version: 1,
      prompt: '',
      taskIndex: null,
      exportChecked: {},
      drafts: [
        { strategy: 'gone', label: '', values: {} },
        { strategy: 'beam', label: '', values: { earlyStopping: '"sometimes"', numBeams: '5' } },
      ],
    });
    expect(drafts).toHaveLength(1);
    expect(configFromFields('beam', drafts[0]!.fields)).toMatchObject({
      ok: true,
      config: { earlyStopping: false, numBeams: 5 },
    });
  });
});
