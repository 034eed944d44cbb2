import type { ModelConfig } from '../model/model-config';
import type { StrategyConfig } from '../../../shared/strategies';

/** A run the engine refuses before it starts; the message is meant for the researcher as it stands. */
export class RunRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunRefusedError';
  }
}

/** The number of positions the model was trained with, under whichever key its family uses; null when unknown. */
export function contextLength(config: ModelConfig): number | null {
  for (const key of ['max_position_embeddings', 'n_positions', 'n_ctx', 'max_sequence_length', 'seq_length']) {
    const value = config.raw[key];
    if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  }
  return null;
}

/** Positions a run may need beyond the prompt: its new tokens, plus thoughts and their two markers for latent runs. */
export function positionsNeeded(config: StrategyConfig, hasThoughtMarkers: boolean): number {
  if (config.strategy !== 'latent') return config.maxNewTokens;
  return config.maxNewTokens + config.thoughts + (hasThoughtMarkers ? 2 : 0);
}

/**
 * Refuses a run that cannot fit in the model's context (an ONNX gather error deep in a step otherwise) and an
 * empty prompt (which would silently run from BOS).
 */
export function checkRunFits(
  prompt: string,
  promptTokens: number,
  config: StrategyConfig,
  model: { config: ModelConfig; name: string },
): void {
  if (prompt.trim() === '') throw new RunRefusedError('the prompt is empty: type a prompt or pick a task example');
  const context = contextLength(model.config);
  if (context === null) return;
  const markers =
    config.strategy === 'latent' && !!model.config.lab?.thoughts?.begin_token && !!model.config.lab.thoughts.end_token;
  const extra = positionsNeeded(config, markers);
  if (promptTokens + extra <= context) return;
  const what =
    config.strategy === 'latent'
      ? `maxNewTokens ${config.maxNewTokens} + ${extra - config.maxNewTokens} thought positions`
      : `maxNewTokens ${config.maxNewTokens}`;
  throw new RunRefusedError(
    `the prompt has ${promptTokens} tokens and ${what} would need ${promptTokens + extra} positions, but ${model.name} has a context of ${context}` +
      (promptTokens < context
        ? `: lower maxNewTokens to ${context - promptTokens - (extra - config.maxNewTokens)} or shorten the prompt`
        : ': shorten the prompt'),
  );
}
