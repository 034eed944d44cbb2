import type { ModelConfig } from '../model/model-config';
import type { StrategyName } from '../../../shared/strategies';

/**
 * Settings a model folder asks for, per strategy: a model trained for continuous thoughts wants the mode and
 * thought count it was trained with (`lattice_lab.thoughts` in config.json). Every client (app, CLI) starts from these.
 */
export function modelStrategyDefaults(config: ModelConfig): Partial<Record<StrategyName, Record<string, unknown>>> {
  const declared = config.lab?.thoughts;
  if (!declared) return {};
  const latent: Record<string, unknown> = {};
  if (typeof declared.count === 'number' && Number.isInteger(declared.count) && declared.count >= 0)
    latent.thoughts = declared.count;
  if (declared.mode === 'hidden' || declared.mode === 'mixture') latent.mode = declared.mode;
  return Object.keys(latent).length > 0 ? { latent } : {};
}
