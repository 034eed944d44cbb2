import { describe, expect, it } from 'vitest';
import { configFromFields, strategyFields } from '../../src/renderer/src/lib/form/strategy-fields';
import { resolveStrategyConfig, strategyNames } from '../../src/shared/strategies';

describe('strategy forms', () => {
  it('are generated from the defaults and read back to the same config', () => {
    for (const strategy of strategyNames) {
      const fields = strategyFields(strategy);
      const defaults = resolveStrategyConfig({ strategy });
      expect(fields.map((f) => f.key).sort()).toEqual(
        Object.keys(defaults)
          .filter((k) => k !== 'strategy')
          .sort(),
      );
      expect(configFromFields(strategy, fields)).toEqual({ ok: true, config: defaults });
    }
  });

  it('offer the closed sets of values the schema allows', () => {
    const beam = strategyFields('beam');
    expect(beam.find((f) => f.key === 'earlyStopping')!.choices).toEqual(['true', 'false', '"never"']);
    expect(strategyFields('latent').find((f) => f.key === 'mode')!.choices).toEqual(['"hidden"', '"mixture"']);
    expect(strategyFields('bfs').find((f) => f.key === 'merge')!.kind).toBe('variant');
  });

  it("offer settings of several kinds (merge, answer) as a choice of kind with that kind's parameters", () => {
    const bfs = strategyFields('bfs');
    const merge = bfs.find((f) => f.key === 'merge')!;
    expect(merge.choices).toEqual(['"none"', '"last-n"', '"text"', '"latent"']);
    expect(merge.value).toBe('"text"');
    merge.value = '"last-n"';
    expect(configFromFields('bfs', bfs)).toMatchObject({ ok: true, config: { merge: { kind: 'last-n', n: 2 } } });
    merge.variants!['"last-n"']![0]!.value = '3';
    expect(configFromFields('bfs', bfs)).toMatchObject({ ok: true, config: { merge: { kind: 'last-n', n: 3 } } });
    merge.variants!['"last-n"']![0]!.value = '0';
    expect(configFromFields('bfs', bfs)).toMatchObject({
      ok: false,
      field: 'merge',
      message: expect.stringMatching(/merge\.n/),
    });
    merge.value = '"latent"';
    expect(configFromFields('bfs', bfs)).toMatchObject({ ok: true, config: { merge: { kind: 'latent', tau: 0.95 } } });

    const latent = strategyFields('latent', { answer: { strategy: 'beam', numBeams: 6, lengthPenalty: 1 } });
    const answer = latent.find((f) => f.key === 'answer')!;
    expect(answer.value).toBe('"beam"');
    expect(answer.variants!['"beam"']!.map((f) => [f.key, f.value])).toEqual([
      ['numBeams', '6'],
      ['lengthPenalty', '1'],
    ]);
    expect(configFromFields('latent', latent)).toMatchObject({
      ok: true,
      config: { answer: { strategy: 'beam', numBeams: 6 } },
    });
    answer.value = '"greedy"';
    expect(configFromFields('latent', latent)).toMatchObject({ ok: true, config: { answer: { strategy: 'greedy' } } });
  });

  it('explain every setting in a tooltip', () => {
    for (const strategy of strategyNames) {
      for (const field of strategyFields(strategy)) {
        expect(field.help, `${strategy}.${field.key}`).not.toBe('');
        for (const params of Object.values(field.variants ?? {}))
          for (const p of params) expect(p.help, `${strategy}.${field.key}.${p.key}`).not.toBe('');
      }
    }
  });

  it('name the wrong field and keep what was typed', () => {
    const fields = strategyFields('beam');
    fields.find((f) => f.key === 'numBeams')!.value = '0';
    const result = configFromFields('beam', fields);
    expect(result).toMatchObject({ ok: false, field: 'numBeams' });
    expect(fields.find((f) => f.key === 'numBeams')!.value).toBe('0');
    const bad = strategyFields('bfs');
    bad.find((f) => f.key === 'width')!.value = '8x';
    expect(configFromFields('bfs', bad)).toMatchObject({ ok: false, field: 'width', message: 'not a number' });
    const edited = strategyFields('beam');
    edited.find((f) => f.key === 'earlyStopping')!.value = '"never"';
    expect(configFromFields('beam', edited)).toMatchObject({ ok: true, config: { earlyStopping: 'never' } });
  });
});
