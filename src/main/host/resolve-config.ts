import { LabRequestError, type TaskExample } from '../../shared/lab-api';
import type { ModelInfo } from '../../shared/model';
import { StrategyConfigSchema, type StrategyConfig } from '../../shared/strategies';

/**
 * A client's settings made whole: what it leaves out takes the model's declared defaults (a continuous-thought
 * model's mode and count), the task's token budget for a task example, then the schema's defaults. `at` names the
 * settings in the error a researcher sees (e.g. "startRun: config.numBeams: …").
 */
export function resolveRunConfig(
  model: ModelInfo,
  config: Record<string, unknown>,
  at: string,
  task?: TaskExample,
): StrategyConfig {
  const strategy = String(config.strategy);
  const parsed = StrategyConfigSchema.safeParse({
    ...(model.strategyDefaults?.[strategy] ?? {}),
    ...(task?.tokenBudget !== undefined ? { maxNewTokens: task.tokenBudget } : {}),
    ...config,
  });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new LabRequestError(`${at}${issue.path.length > 0 ? `.${issue.path.join('.')}` : ''}: ${issue.message}`);
}
