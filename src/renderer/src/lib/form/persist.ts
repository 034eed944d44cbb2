import { strategyNames, type StrategyName } from '../../../../shared/strategies';
import { strategyFields, type StrategyField } from './strategy-fields';

/** What survives a reload: the prompt, the strategy forms as typed, and the export ticks. */
export interface SavedUi {
  version: 1;
  prompt: string;
  taskIndex: number | null;
  drafts: { strategy: string; label: string; values: Record<string, unknown> }[];
  exportChecked: Record<string, boolean>;
}

const KEY = 'lattice-lab:ui';

/** Field texts by key; a `variant` field keeps its kind and each kind's parameters. */
function valuesOf(fields: StrategyField[]): Record<string, unknown> {
  return Object.fromEntries(
    fields.map((f) => [
      f.key,
      f.kind === 'variant'
        ? {
            value: f.value,
            variants: Object.fromEntries(Object.entries(f.variants ?? {}).map(([k, v]) => [k, valuesOf(v)])),
          }
        : f.value,
    ]),
  );
}

/** Writes saved texts into a freshly generated form; keys the form no longer has are dropped, new ones keep defaults. */
function applyValues(fields: StrategyField[], values: Record<string, unknown>): StrategyField[] {
  for (const field of fields) {
    const saved = values[field.key];
    if (field.kind === 'variant' && typeof saved === 'object' && saved !== null) {
      const { value, variants } = saved as { value?: unknown; variants?: Record<string, Record<string, unknown>> };
      if (typeof value === 'string' && field.choices?.includes(value)) field.value = value;
      for (const [kind, params] of Object.entries(field.variants ?? {})) applyValues(params, variants?.[kind] ?? {});
    } else if (typeof saved === 'string' && (field.kind !== 'choice' || field.choices?.includes(saved)))
      field.value = saved;
  }
  return fields;
}

export function snapshotUi(state: {
  prompt: string;
  taskIndex: number | null;
  drafts: { strategy: string; label: string; fields: StrategyField[] }[];
  exportChecked: Record<string, boolean>;
}): SavedUi {
  return {
    version: 1,
    prompt: state.prompt,
    taskIndex: state.taskIndex,
    drafts: state.drafts.map((d) => ({ strategy: d.strategy, label: d.label, values: valuesOf(d.fields) })),
    exportChecked: { ...state.exportChecked },
  };
}

/** The forms of a saved UI, regenerated from today's schema; strategies that no longer exist are skipped. */
export function restoreDrafts(saved: SavedUi): { strategy: StrategyName; label: string; fields: StrategyField[] }[] {
  return saved.drafts
    .filter((d) => strategyNames.includes(d.strategy as StrategyName))
    .map((d) => ({
      strategy: d.strategy as StrategyName,
      label: d.label,
      fields: applyValues(strategyFields(d.strategy as StrategyName), d.values),
    }));
}

export function saveUi(storage: Pick<Storage, 'setItem'>, ui: SavedUi): void {
  try {
    storage.setItem(KEY, JSON.stringify(ui));
  } catch {
    // a full or disabled storage only costs the next reload its settings
  }
}

/** The saved UI, or null when there is none or it is unreadable. */
export function loadUi(storage: Pick<Storage, 'getItem'>): SavedUi | null {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? 'null') as SavedUi | null;
    if (!parsed || parsed.version !== 1 || typeof parsed.prompt !== 'string' || !Array.isArray(parsed.drafts))
      return null;
    return {
      ...parsed,
      exportChecked: parsed.exportChecked ?? {},
      taskIndex: typeof parsed.taskIndex === 'number' ? parsed.taskIndex : null,
    };
  } catch {
    return null;
  }
}
