import { z } from 'zod';
import {
  StrategyConfigSchema,
  resolveStrategyConfig,
  type StrategyConfig,
  type StrategyName,
} from '../../../../shared/strategies';
import { settingHelp } from './setting-help';

export type FieldKind = 'number' | 'choice' | 'json' | 'text' | 'variant';

export interface StrategyField {
  key: string;
  kind: FieldKind;
  /** the text the researcher edits (JSON for choices and nested settings; for `variant`, the chosen kind as JSON) */
  value: string;
  /** for `choice` and `variant`: the accepted values, as JSON */
  choices?: string[];
  /** for `variant` (a setting that is one of several kinds, e.g. merge): the parameters of each kind, kept while another is chosen */
  variants?: Record<string, StrategyField[]>;
  /** for `variant`: the name of the property that says which kind */
  discriminator?: string;
  /** the tooltip */
  help: string;
}

/** Values offered for parameters that have no default (the schema only bounds them). */
const SUGGESTED: Record<string, unknown> = { n: 2, tau: 0.95 };

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
export function strategyFields(
  strategy: StrategyName,
  values: Partial<StrategyConfig> | Record<string, unknown> = {},
): StrategyField[] {
  const defaults = resolveStrategyConfig({ strategy }) as Record<string, unknown>;
  const shape = schemaOf(strategy).shape as Record<string, z.ZodType>;
  return Object.keys(defaults)
    .filter((key) => key !== 'strategy')
    .map((key) => fieldOf(strategy, key, shape[key]!, (values as Record<string, unknown>)[key] ?? defaults[key]));
}

function fieldOf(strategy: StrategyName, key: string, schema: z.ZodType, value: unknown, path = key): StrategyField {
  const help = settingHelp(strategy, path);
  const inner = innerType(schema);
  if (inner instanceof z.ZodDiscriminatedUnion) {
    const discriminator = String(inner._zod.def.discriminator);
    const chosen = (value as Record<string, unknown>)[discriminator];
    const variants: Record<string, StrategyField[]> = {};
    for (const option of inner.options as unknown as z.ZodObject[]) {
      const shape = option.shape as Record<string, z.ZodType>;
      const kind = (shape[discriminator] as z.ZodLiteral).value;
      const given = kind === chosen ? (value as Record<string, unknown>) : {};
      const parsed = option.safeParse({ [discriminator]: kind });
      const base = parsed.success ? (parsed.data as Record<string, unknown>) : {};
      variants[JSON.stringify(kind)] = Object.keys(shape)
        .filter((k) => k !== discriminator)
        .map((k) => fieldOf(strategy, k, shape[k]!, given[k] ?? base[k] ?? SUGGESTED[k] ?? '', `${key}.${k}`));
    }
    return {
      key,
      kind: 'variant',
      value: JSON.stringify(chosen),
      choices: Object.keys(variants),
      variants,
      discriminator,
      help,
    };
  }
  const choices = choicesOf(schema);
  if (choices)
    return { key, kind: 'choice', value: JSON.stringify(value), choices: choices.map((c) => JSON.stringify(c)), help };
  if (typeof value === 'number') return { key, kind: 'number', value: String(value), help };
  if (typeof value === 'string') return { key, kind: 'text', value, help };
  return { key, kind: 'json', value: JSON.stringify(value), help };
}

/** Reads fields into `into`; returns the failure for the first unreadable one. */
function readFields(
  fields: StrategyField[],
  into: Record<string, unknown>,
  prefix = '',
): Extract<FormResult, { ok: false }> | null {
  for (const field of fields) {
    const text = field.value.trim();
    if (field.kind === 'text') {
      into[field.key] = field.value;
      continue;
    }
    if (text === '') return { ok: false, field: prefix + field.key, message: 'needs a value' };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return {
        ok: false,
        field: prefix + field.key,
        message: field.kind === 'number' ? 'not a number' : 'not valid JSON',
      };
    }
    if (field.kind === 'variant') {
      const nested: Record<string, unknown> = { [field.discriminator!]: value };
      const failed = readFields(field.variants?.[text] ?? [], nested, `${field.key}.`);
      if (failed) return failed;
      value = nested;
    }
    into[field.key] = value;
  }
  return null;
}

export type FormResult = { ok: true; config: StrategyConfig } | { ok: false; field: string; message: string };

/** Reads a filled form back into a full config, or names the field that is wrong and why. */
export function configFromFields(strategy: StrategyName, fields: StrategyField[]): FormResult {
  const input: Record<string, unknown> = { strategy };
  const read = readFields(fields, input);
  if (read) return read;
  const parsed = StrategyConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  const issue = parsed.error.issues[0]!;
  return {
    ok: false,
    field: String(issue.path[0] ?? 'strategy'),
    message: `${issue.path.join('.') || 'config'}: ${issue.message}`,
  };
}
