import { describe, expect, it } from 'vitest';
import { applyModelDefaults, applyTokenBudget, draftFields } from '../../src/renderer/src/lib/form/draft-defaults';
import { configFromFields } from '../../src/renderer/src/lib/form/strategy-fields';

const coconut = { strategyDefaults: { latent: { thoughts: 6, mode: 'hidden' } } };
const plain = { strategyDefaults: {} };
const value = (fields: { key: string; value: string }[], key: string) => fields.find((f) => f.key === key)!.value;

describe('form defaults', () => {
  it("a new form takes the model's declared settings and the task budget", () => {
    const fields = draftFields('latent', coconut, 60);
    expect(configFromFields('latent', fields)).toMatchObject({
      ok: true,
      config: { thoughts: 6, mode: 'hidden', maxNewTokens: 60 },
    });
    expect(configFromFields('latent', draftFields('latent', null, null))).toMatchObject({
      ok: true,
      config: { thoughts: 3, mode: 'mixture', maxNewTokens: 32 },
    });
  });

  it('opening another model replaces untouched defaults and keeps what was typed', () => {
    const untouched = { strategy: 'latent' as const, fields: draftFields('latent', plain, null) };
    const typed = { strategy: 'latent' as const, fields: draftFields('latent', plain, null) };
    typed.fields.find((f) => f.key === 'thoughts')!.value = '2';
    applyModelDefaults([untouched, typed], plain, coconut);
    expect([value(untouched.fields, 'thoughts'), value(untouched.fields, 'mode')]).toEqual(['6', '"hidden"']);
    expect([value(typed.fields, 'thoughts'), value(typed.fields, 'mode')]).toEqual(['2', '"hidden"']);
    // and back: the coconut defaults give way to the schema's
    applyModelDefaults([untouched], coconut, plain);
    expect([value(untouched.fields, 'thoughts'), value(untouched.fields, 'mode')]).toEqual(['3', '"mixture"']);
  });

  it('a task budget replaces the default token limit or the last budget, never a typed one', () => {
    const a = { strategy: 'greedy' as const, fields: draftFields('greedy', null, null) };
    const b = { strategy: 'beam' as const, fields: draftFields('beam', null, null) };
    b.fields.find((f) => f.key === 'maxNewTokens')!.value = '20';
    applyTokenBudget([a, b], null, 60);
    expect([value(a.fields, 'maxNewTokens'), value(b.fields, 'maxNewTokens')]).toEqual(['60', '20']);
    applyTokenBudget([a, b], 60, 45);
    expect(value(a.fields, 'maxNewTokens')).toBe('45');
  });
});
