import { loadModel, type LoadedModel } from '../engine/model/load-model';
import { runSearch, SearchFailedError, type RunRequest } from '../engine/search/run-search';
import type { EngineCall, EngineToHost, HostToEngine } from '../engine-link/protocol';
import { PatchBatcher } from './patch-batcher';
import { loadTaskFiles, type TaskFiles } from '../engine/task/task-files';
import { taskContextOf } from '../engine/task/task-context-of';
import { taskJudge } from '../engine/task/checker';
import { taskExamples } from './task-examples';
import { inspectPath } from './inspect-path';
import { runEvaluation } from './engine-eval';
import { compileInterventions } from '../engine/intervention/compile';
import { runFork } from '../engine/intervention/fork';

/** How many model folders stay loaded at once (a comparison rarely needs more than one). */
const MODEL_CACHE_SIZE = 2;

/**
 * The engine process's brain, independent of how messages travel: it owns the loaded models and the
 * running searches, and answers the host's messages through `post`.
 */
export class EngineWorker {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly runs = new Map<string, AbortController>();
  private readonly tasks = new Map<string, TaskFiles | null>();
  /** runs go one at a time: they share the model's sessions, and one at a time keeps the patch stream ordered */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly post: (message: EngineToHost) => void) {}

  handle(message: HostToEngine): void {
    switch (message.type) {
      case 'call':
        this.answer(message.callId, message.call);
        break;
      case 'startRun':
      case 'startFork': {
        // Registered now so that a cancel arriving while the run waits in the queue is not lost.
        const controller = new AbortController();
        this.runs.set(message.runId, controller);
        this.queue = this.queue.then(() => this.run(message, controller));
        break;
      }
      case 'startEval': {
        const controller = new AbortController();
        this.runs.set(message.evalId, controller);
        this.queue = this.queue.then(async () => {
          try {
            const model = await this.model(message.folder);
            await runEvaluation(model, this.taskFiles(message.folder), message, controller.signal, this.post);
          } catch (err) {
            this.post({ type: 'evalFailed', evalId: message.evalId, message: messageOf(err), scores: [] });
          } finally {
            this.runs.delete(message.evalId);
          }
        });
        break;
      }
      case 'cancelRun':
        this.runs.get(message.runId)?.abort();
        break;
    }
  }

  private async answer(callId: number, call: EngineCall): Promise<void> {
    try {
      const value = await this.perform(call);
      this.post({ type: 'callResult', callId, ok: true, value });
    } catch (err) {
      this.post({ type: 'callResult', callId, ok: false, message: messageOf(err) });
    }
  }

  private async perform(call: EngineCall): Promise<unknown> {
    switch (call.kind) {
      case 'openModel':
        return (await this.model(call.folder)).info;
      case 'taskExamples':
        return taskExamples(this.taskFiles(call.folder), call.limit);
      case 'inspect': {
        const model = await this.model(call.folder);
        return inspectPath(
          model,
          call.prompt,
          call.config,
          call.path,
          call.withLens,
          call.lens,
          call.intervention,
          call.forked,
          call.fork,
        );
      }
      case 'crash':
        process.exit(70);
    }
  }

  /** A model folder's task files (ontology + test split), read once; null when it ships none. */
  private taskFiles(folder: string): TaskFiles | null {
    if (!this.tasks.has(folder)) this.tasks.set(folder, loadTaskFiles(folder));
    return this.tasks.get(folder)!;
  }

  /** Loads a folder once and keeps the few most recent ones; a failed load is forgotten so it can be retried. */
  private model(folder: string): Promise<LoadedModel> {
    let model = this.models.get(folder);
    if (model) {
      this.models.delete(folder);
      this.models.set(folder, model);
      return model;
    }
    model = loadModel(folder);
    this.models.set(folder, model);
    model.catch(() => this.models.delete(folder));
    while (this.models.size > MODEL_CACHE_SIZE) {
      const [oldest, loading] = this.models.entries().next().value!;
      this.models.delete(oldest);
      if (this.runs.size === 0) void loading.then((m) => m.release()).catch(() => {});
    }
    return model;
  }

  private async run(
    message: Extract<HostToEngine, { type: 'startRun' | 'startFork' }>,
    controller: AbortController,
  ): Promise<void> {
    const { runId } = message;
    let sentTree = false;
    const batcher = new PatchBatcher((patches) => this.post({ type: 'runPatches', runId, patches }));
    try {
      const model = await this.model(message.folder);
      const files = message.taskIndex === undefined ? null : this.taskFiles(message.folder);
      const record = message.taskIndex === undefined ? undefined : files?.test[message.taskIndex];
      if (message.taskIndex !== undefined && (!files || !record)) {
        throw new Error(`the model's task has no test example ${message.taskIndex}`);
      }
      const intervention = message.intervention ? compileInterventions(model, [message.intervention]) : {};
      const request: RunRequest = {
        ...(files && record
          ? {
              task: taskContextOf(message.taskIndex!, record, files.ontology),
              judge: taskJudge(files.ontology, record),
            }
          : {}),
        model,
        prompt: message.prompt,
        config: message.config,
        signal: controller.signal,
        onProgress: (progress) => this.post({ type: 'runProgress', runId, progress }),
        onPatches: (patches, state) => {
          // The first step's result goes as a whole tree: the host never has to guess the root's shape.
          if (!sentTree) {
            sentTree = true;
            this.post({ type: 'runTree', runId, tree: state });
          } else batcher.push(patches);
        },
      };
      const output =
        message.type === 'startFork'
          ? await runFork({
              ...request,
              source: message.source,
              nodeId: message.nodeId,
              intervention,
              label: message.label,
              ...(message.thoughts ? { thoughts: message.thoughts } : {}),
            })
          : await runSearch({ ...request, ...intervention });
      batcher.flush();
      this.post({ type: 'runDone', runId, tree: output.tree, stats: output.stats, result: output.result });
    } catch (err) {
      batcher.flush();
      this.post({
        type: 'runFailed',
        runId,
        message: messageOf(err),
        ...(err instanceof SearchFailedError ? { partial: err.partial } : {}),
      });
    } finally {
      batcher.dispose();
      this.runs.delete(runId);
    }
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
