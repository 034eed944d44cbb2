import { describe, expect, it } from 'vitest';
import { configFromFields, strategyFields } from '../../src/renderer/src/lib/form/strategy-fields';
import { resolveStrategyConfig, strategyNames } from '../../src/shared/strategies';

describe('strategy forms', () => {
  it('are generated from the defaults and read back to the same config', () => {
    for (const strategy of strategyNames) {
      const fields = strategyFields(strategy);
      const defaults = resolveStrategyConfig({ strategy });
      expect(fields.map((f) => f.key).sort()).toEqual(Object.keys(defaults).filter((k) => k !== 'strategy').sort());
      expect(configFromFields(strategy, fields)).toEqual({ ok: true, config: defaults });
    }
  });

  it('offer the closed sets of values the schema allows', () => {
    const beam = strategyFields('beam');
    expect(beam.find((f) => f.key === 'earlyStopping')!.choices).toEqual(['true', 'false', '"never"']);
    expect(strategyFields('latent').find((f) => f.key === 'mode')!.choices).toEqual(['"hidden"', '"mixture"']);
    expect(strategyFields('bfs').find((f) => f.key === 'merge')!.kind).toBe('json');
  });

  it('name the wrong field and keep what was typed', () => {
    const fields = strategyFields('beam');
    fields.find((f) => f.key === 'numBeams')!.value = '0';
    const result = configFromFields('beam', fields);
    expect(result).toMatchObject({ ok: false, field: 'numBeams' });
    expect(fields.find((f) => f.key === 'numBeams')!.value).toBe('0');
    const bad = strategyFields('bfs');
    bad.find((f) => f.key === 'merge')!.value = '{kind:';
    expect(configFromFields('bfs', bad)).toMatchObject({ ok: false, field: 'merge', message: 'not valid JSON' });
    const edited = strategyFields('beam');
    edited.find((f) => f.key === 'earlyStopping')!.value = '"never"';
    expect(configFromFields('beam', edited)).toMatchObject({ ok: true, config: { earlyStopping: 'never' } });
  });
});
