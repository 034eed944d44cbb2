import type { LoadedModel } from '../engine/model/load-model';
import type { StrategyConfig } from '../../shared/strategies';
import { runSearch } from '../engine/search/run-search';
import type { FinishedRun } from '../engine/export/build-export';
import { loadTaskFiles, type TaskFiles, type TaskRecord } from '../engine/task/task-files';
import { taskJudge } from '../engine/task/checker';
import { taskContextOf } from '../engine/task/task-context-of';
import { ProgressBar } from './progress';
import { UsageError } from './strategy-args';
import type { ResidualInputs } from '../engine/intervention/compile';

export interface PromptSource {
  prompt: string;
  task?: { files: TaskFiles; index: number; record: TaskRecord };
}

export function taskFilesOf(model: LoadedModel): TaskFiles {
  const files = loadTaskFiles(model.info.folder);
  if (!files) throw new UsageError(`${model.info.name} ships no task files (task/ontology.json, task/test.jsonl)`);
  return files;
}

/** --task N takes example N of the model's test split; otherwise --prompt is required. */
export function promptSource(model: LoadedModel, prompt: string | undefined, taskIndex: string | undefined): PromptSource {
  if (taskIndex !== undefined) {
    const files = taskFilesOf(model);
    const index = Number(taskIndex);
    if (!Number.isInteger(index) || index < 0 || index >= files.test.length) {
      throw new UsageError(`--task must be an example index from 0 to ${files.test.length - 1}`);
    }
    return { prompt: files.test[index]!.prompt, task: { files, index, record: files.test[index]! } };
  }
  if (prompt === undefined) throw new UsageError('give --prompt TEXT or --task N');
  return { prompt };
}

export interface ExecuteOptions {
  id: string;
  progress?: boolean;
  signal?: AbortSignal;
  /** --steer / --ablate, compiled for this model */
  intervention?: ResidualInputs;
}

export async function executeRun(model: LoadedModel, source: PromptSource, config: StrategyConfig, options: ExecuteOptions): Promise<FinishedRun> {
  const bar = options.progress ? new ProgressBar(config.strategy.padEnd(8)) : null;
  const task = source.task;
  const out = await runSearch({
    model,
    prompt: source.prompt,
    config,
    signal: options.signal,
    ...options.intervention,
    onProgress: bar ? (p) => bar.update(p.fraction, p.message) : undefined,
    task: task ? taskContextOf(task.index, task.record, task.files.ontology) : undefined,
    judge: task ? taskJudge(task.files.ontology, task.record) : undefined,
  });
  bar?.done();
  return { id: options.id, config, ...out };
}
