import * as fs from 'node:fs';
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

/** The largest prompt file read (a prompt is text, not a corpus). */
const MAX_PROMPT_BYTES = 16 * 1024 * 1024;

/**
 * The prompt's text from --prompt TEXT, --prompt-file PATH, or standard input (`--prompt -` / `--prompt-file -`).
 * Long prompts must come from a file or stdin: onnxruntime-node crashes when the process argv is long. One
 * trailing newline (as editors and `echo` add) is not part of the prompt; bytes that are not UTF-8 are refused.
 */
export function promptText(
  prompt: string | boolean | undefined,
  promptFile: string | boolean | undefined,
): string | undefined {
  if (prompt !== undefined && promptFile !== undefined)
    throw new UsageError('give --prompt or --prompt-file, not both');
  if (prompt === true || promptFile === true)
    throw new UsageError(`${prompt === true ? '--prompt' : '--prompt-file'} needs a value (use - for standard input)`);
  const file = (prompt === '-' ? '-' : promptFile) as string | undefined;
  if (file === undefined) return prompt as string | undefined;
  let bytes: Buffer;
  try {
    if (file !== '-' && fs.statSync(file).size > MAX_PROMPT_BYTES)
      throw new UsageError(`--prompt-file ${file} is larger than ${MAX_PROMPT_BYTES} bytes`);
    bytes = fs.readFileSync(file === '-' ? 0 : file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `cannot read the prompt from ${file === '-' ? 'standard input' : file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UsageError(`the prompt in ${file === '-' ? 'standard input' : file} is not valid UTF-8`);
  }
  return text.replace(/\r?\n$/, '');
}

/** --task N takes example N of the model's test split; otherwise --prompt is required. */
export function promptSource(
  model: LoadedModel,
  prompt: string | undefined,
  taskIndex: string | undefined,
): PromptSource {
  if (taskIndex !== undefined) {
    const files = taskFilesOf(model);
    const index = Number(taskIndex);
    if (!Number.isInteger(index) || index < 0 || index >= files.test.length) {
      throw new UsageError(`--task must be an example index from 0 to ${files.test.length - 1}`);
    }
    return { prompt: files.test[index]!.prompt, task: { files, index, record: files.test[index]! } };
  }
  if (prompt === undefined)
    throw new UsageError('give --prompt TEXT, --prompt-file PATH (- for standard input) or --task N');
  return { prompt };
}

export interface ExecuteOptions {
  id: string;
  progress?: boolean;
  signal?: AbortSignal;
  /** --steer / --ablate, compiled for this model */
  intervention?: ResidualInputs;
}

export async function executeRun(
  model: LoadedModel,
  source: PromptSource,
  config: StrategyConfig,
  options: ExecuteOptions,
): Promise<FinishedRun> {
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
