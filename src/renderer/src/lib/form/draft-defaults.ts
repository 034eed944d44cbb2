import type { ModelInfo } from '../../../../shared/model';
import { resolveStrategyConfig, type StrategyName } from '../../../../shared/strategies';
import { strategyFields, type StrategyField } from './strategy-fields';

interface Draft {
  strategy: StrategyName;
  fields: StrategyField[];
}

/** The text a form shows for a plain value (numbers and strings as typed, the rest as JSON). */
const asText = (field: StrategyField, value: unknown) =>
  field.kind === 'number' || field.kind === 'text' ? String(value) : JSON.stringify(value);

const schemaDefault = (strategy: StrategyName, key: string) =>
  (resolveStrategyConfig({ strategy }) as Record<string, unknown>)[key];

/** A new form: the schema's defaults, then the model's own (a continuous-thought model's mode and count), then the task's token budget. */
export function draftFields(
  strategy: StrategyName,
  model: Pick<ModelInfo, 'strategyDefaults'> | null,
  budget: number | null,
): StrategyField[] {
  return strategyFields(strategy, {
    ...(model?.strategyDefaults?.[strategy] ?? {}),
    ...(budget !== null ? { maxNewTokens: budget } : {}),
  });
}

/**
 * Another model opened: settings still at the previous model's default (or the schema's) take the new model's;
 * anything the researcher typed stays.
 */
export function applyModelDefaults(
  drafts: Draft[],
  before: Pick<ModelInfo, 'strategyDefaults'> | null,
  after: Pick<ModelInfo, 'strategyDefaults'>,
): void {
  for (const draft of drafts) {
    const old = before?.strategyDefaults?.[draft.strategy] ?? {};
    const next = after.strategyDefaults?.[draft.strategy] ?? {};
    for (const key of new Set([...Object.keys(old), ...Object.keys(next)])) {
      const field = draft.fields.find((f) => f.key === key);
      if (!field) continue;
      const fallback = schemaDefault(draft.strategy, key);
      const untouched =
        field.value === asText(field, key in old ? old[key] : fallback) || field.value === asText(field, fallback);
      if (untouched) field.value = asText(field, key in next ? next[key] : fallback);
    }
  }
}

/** A task example picked: forms whose token limit is still the default (or the last budget applied) take the task's budget. */
export function applyTokenBudget(drafts: Draft[], previous: number | null, budget: number): void {
  for (const draft of drafts) {
    const field = draft.fields.find((f) => f.key === 'maxNewTokens');
    if (!field) continue;
    const value = field.value.trim();
    if (
      value === String(schemaDefault(draft.strategy, 'maxNewTokens')) ||
      (previous !== null && value === String(previous))
    )
      field.value = String(budget);
  }
}
