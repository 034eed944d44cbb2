import { z } from 'zod';
import { StrategyConfigSchema, resolveStrategyConfig, type StrategyConfig, type StrategyName } from '../../../../shared/strategies';

export type FieldKind = 'number' | 'choice' | 'json' | 'text';

export interface StrategyField {
  key: string;
  kind: FieldKind;
  /** the text the researcher edits (JSON for choices and nested settings) */
  value: string;
  /** for `choice`: the accepted values, as JSON */
  choices?: string[];
}

/** The object schema of one strategy, from the shared discriminated union. */
function schemaOf(strategy: StrategyName): z.ZodObject {
  const found = StrategyConfigSchema.options.find((o) => o.shape.strategy.value === strategy);
  if (!found) throw new Error(`unknown strategy ${strategy}`);
  return found as unknown as z.ZodObject;
}

/** Peels defaults and optionals off a field's schema to see what it accepts. */
function innerType(schema: z.ZodType): z.ZodType {
  let t = schema;
  while (t instanceof z.ZodDefault || t instanceof z.ZodOptional) t = t.unwrap() as z.ZodType;
  return t;
}

/** Every value a field can take when it is a small closed set (booleans, enums, literal unions); else null. */
function choicesOf(schema: z.ZodType): unknown[] | null {
  const t = innerType(schema);
  if (t instanceof z.ZodBoolean) return [true, false];
  if (t instanceof z.ZodEnum) return t.options as unknown[];
  if (t instanceof z.ZodLiteral) return [...t.values];
  if (t instanceof z.ZodUnion) {
    const all: unknown[] = [];
    for (const option of t.options as z.ZodType[]) {
      const some = choicesOf(option);
      if (!some) return null;
      all.push(...some);
    }
    return all;
  }
  return null;
}

/**
 * The form of a strategy, generated from its defaults (`resolveStrategyConfig({strategy})`): one field
 * per setting, a choice list where the schema allows only a few values, JSON for nested settings.
 */
export function strategyFields(strategy: StrategyName, values: Partial<StrategyConfig> = {}): StrategyField[] {
  const defaults = resolveStrategyConfig({ strategy }) as Record<string, unknown>;
  const shape = schemaOf(strategy).shape as Record<string, z.ZodType>;
  return Object.keys(defaults)
    .filter((key) => key !== 'strategy')
    .map((key) => {
      const value = (values as Record<string, unknown>)[key] ?? defaults[key];
      const choices = choicesOf(shape[key]!);
      if (choices) return { key, kind: 'choice' as const, value: JSON.stringify(value), choices: choices.map((c) => JSON.stringify(c)) };
      if (typeof value === 'number') return { key, kind: 'number' as const, value: String(value) };
      if (typeof value === 'string') return { key, kind: 'text' as const, value };
      return { key, kind: 'json' as const, value: JSON.stringify(value) };
    });
}

export type FormResult = { ok: true; config: StrategyConfig } | { ok: false; field: string; message: string };

/** Reads a filled form back into a full config, or names the field that is wrong and why. */
export function configFromFields(strategy: StrategyName, fields: StrategyField[]): FormResult {
  const input: Record<string, unknown> = { strategy };
  for (const field of fields) {
    const text = field.value.trim();
    if (field.kind === 'text') {
      input[field.key] = field.value;
      continue;
    }
    if (text === '') return { ok: false, field: field.key, message: 'needs a value' };
    try {
      input[field.key] = JSON.parse(text);
    } catch {
      return { ok: false, field: field.key, message: field.kind === 'number' ? 'not a number' : 'not valid JSON' };
    }
  }
  const parsed = StrategyConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { ok: false, field: String(issue.path[0] ?? 'strategy'), message: `${issue.path.join('.') || 'config'}: ${issue.message}` };
}
