import type { LoadedModel } from '../engine/model/load-model';
import { resolveStrategyConfig, strategyNames, type StrategyConfig, type StrategyName } from '../../shared/strategies';
import { modelStrategyDefaults } from '../engine/guards/model-defaults';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** "8" → 8, "true" → true, "never" → "never", '{"kind":"text"}' → object. */
function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/**
 * A strategy from the command line: "beam num-beams=8 early-stopping=never" or flags already split into pairs.
 * Keys may be kebab- or camelCase; values are JSON when they parse as JSON.
 */
export function strategyFromSpec(
  spec: string,
  shared: Record<string, unknown> = {},
  model?: LoadedModel,
): StrategyConfig {
  const [name, ...pairs] = spec.trim().split(/\s+/);
  const settings: Record<string, unknown> = { ...(model ? modelDefaults(model, name ?? '') : {}), ...shared };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`"${pair}" in "${spec}" is not key=value`);
    settings[camel(pair.slice(0, eq))] = parseValue(pair.slice(eq + 1));
  }
  return configFor(name ?? '', settings);
}

/** Settings a model asks for: a model trained for continuous thoughts wants the mode and count it was trained with. */
export function modelDefaults(model: LoadedModel, strategy: string): Record<string, unknown> {
  return modelStrategyDefaults(model.config)[strategy as StrategyName] ?? {};
}

export function configFor(name: string, settings: Record<string, unknown>): StrategyConfig {
  if (!strategyNames.includes(name as never)) {
    throw new UsageError(`unknown strategy "${name}"; choose one of ${strategyNames.join(', ')}`);
  }
  const parsed = (() => {
    try {
      return resolveStrategyConfig({ ...settings, strategy: name });
    } catch (err) {
      const issue = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      throw new UsageError(issue ? `${name}: ${issue.path.join('.') || 'settings'}: ${issue.message}` : String(err));
    }
  })();
  const known = new Set(Object.keys(parsed));
  const unknown = Object.keys(settings).filter((k) => !known.has(k));
  if (unknown.length > 0) throw new UsageError(`${name} has no setting ${unknown.map((k) => `"${k}"`).join(', ')}`);
  return parsed;
}

/** Strategy settings given as --flags to `run` (everything not a command option). */
export function settingsFromFlags(
  flags: Record<string, string | boolean | undefined>,
  reserved: Set<string>,
): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) {
    if (reserved.has(key) || value === undefined) continue;
    settings[camel(key)] = typeof value === 'string' ? parseValue(value) : value;
  }
  return settings;
}

/** "--key value" and "--key=value" pairs; a flag followed by another flag (or nothing) is true. */
export function parseFlags(argv: string[]): Record<string, string | boolean> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (settings are --name value)`);
    const eq = arg.indexOf('=');
    if (eq > 0) {
      flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    } else if (i + 1 < argv.length && !argv[i + 1]!.startsWith('--')) {
      flags[arg.slice(2)] = argv[++i]!;
    } else {
      flags[arg.slice(2)] = true;
    }
  }
  return flags;
}
