import type { LoadedModel } from '../engine/model/load-model';
import type { StrategyConfig } from '../../shared/strategies';
import type { EvalScore } from '../../shared/eval';
import type { TaskFiles } from '../engine/task/task-files';
import { evaluateStrategy } from '../engine/task/evaluate-split';
import type { EngineToHost } from '../engine-link/protocol';

/**
 * An evaluation asked for by the app: each strategy over the first `limit` test examples, in turn, with
 * progress per example. A cancel ends it between examples; the strategies finished by then are reported.
 */
export async function runEvaluation(
  model: LoadedModel,
  files: TaskFiles | null,
  message: { evalId: string; configs: StrategyConfig[]; limit: number },
  signal: AbortSignal,
  post: (message: EngineToHost) => void,
): Promise<void> {
  const { evalId } = message;
  const scores: EvalScore[] = [];
  try {
    if (!files || files.test.length === 0) throw new Error(`${model.info.name} ships no task examples to evaluate on`);
    const limit = Math.min(message.limit, files.test.length);
    const total = limit * message.configs.length;
    for (const [i, config] of message.configs.entries()) {
      const score = await evaluateStrategy(model, files, config, {
        limit,
        signal,
        onExample: (done) =>
          post({
            type: 'evalProgress',
            evalId,
            done: i * limit + done,
            total,
            message: `${config.strategy}: ${done}/${limit}`,
          }),
      });
      if (signal.aborted) break;
      // per-example outcomes stay in the engine: the chart needs the totals
      const { outcomes: _outcomes, ...summary } = score;
      scores.push(summary);
    }
    post({ type: 'evalDone', evalId, cancelled: signal.aborted, scores });
  } catch (err) {
    post({ type: 'evalFailed', evalId, message: err instanceof Error ? err.message : String(err), scores });
  }
}
