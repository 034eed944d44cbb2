import type { Patch } from 'immer';
import type { z } from 'zod';
import {
  labRequests,
  parseLabRequest,
  LabRequestError,
  type LabEventName,
  type LabEvents,
  type LabParams,
  type LabRequestName,
  type LabResult,
  type RunSummary,
  type TaskExample,
} from '../../shared/lab-api';
import type { ModelInfo } from '../../shared/model';
import type { ConfigOf } from '../../shared/strategies';
import type { LensKind, TreeState } from '../../shared/tree';
import { comparisonFile, runsFromFile } from './comparison-files';
import { resolveRunConfig } from './resolve-config';
import { inspectCall } from './inspect-call';
import { EvalRuns } from './eval-runs';
import { defaultRunLabel } from './run-label';
import { EngineSupervisor, type RunMessage } from './engine-supervisor';
import type { Spawner } from '../engine-link/spawn';
import { HostRun } from './host-run';
import { startupModelFolder } from './default-folder';
import { pathIds, pathTextOffline } from './tree-paths';
import { listDirections, resolveIntervention } from './directions';
import { describeIntervention, type InterventionSpec } from '../../shared/intervention';

export type LabEventListener = <E extends LabEventName>(event: E, payload: LabEvents[E]) => void;

export interface LabServiceOptions {
  spawn: Spawner;
  /** the platform's folder chooser (Electron dialog); absent in serve mode */
  chooseFolder?: () => Promise<string | null>;
  /** how long a cancelled run may keep going before the engine process is killed and restarted */
  cancelGraceMs?: number;
}

/** startRun's params after validation: the config has every default filled in */
type StartRunParams = z.output<(typeof labRequests)['startRun']['params']>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- params are validated by each request's zod schema before a handler runs
type Handlers = { [N in LabRequestName]: (params: any) => Promise<LabResult<N>> | LabResult<N> };

/**
 * The LabApi as the main process serves it, whatever the transport (Electron IPC or WebSocket):
 * validates requests, drives the engine process, and keeps every run's summary and last tree.
 */
export class LabService {
  private readonly engine: EngineSupervisor;
  private readonly runs = new Map<string, HostRun>();
  private readonly listeners = new Set<LabEventListener>();
  private readonly cancelTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private model: ModelInfo | null = null;
  /** every example of the open model's test split (the picker may have asked for fewer) */
  private allExamples: TaskExample[] | null = null;
  private readonly evals: EvalRuns;
  private runCounter = 0;

  constructor(private readonly options: LabServiceOptions) {
    this.engine = new EngineSupervisor(options.spawn, {
      onRunMessage: (message) => this.onRunMessage(message),
      onCrash: (reason) => this.onCrash(reason),
      onRestarted: () => this.emit('engineStatus', { state: 'restarted', message: 'the engine process was restarted' }),
    });
    this.evals = new EvalRuns((message) => this.engine.send(message), {
      evalProgress: (progress) => this.emit('evalProgress', progress),
      evalFinished: (finished) => this.emit('evalFinished', finished),
    });
    this.engine.start();
  }

  on(listener: LabEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Validates and answers one request from a transport; errors carry a message fit for the researcher. */
  async request(name: unknown, params: unknown): Promise<unknown> {
    const parsed = parseLabRequest(name, params);
    return (this.handlers[parsed.name] as (p: unknown) => unknown)(parsed.params);
  }

  /** Typed entry for code in the main process itself (tests, the CLI of the app). */
  call<N extends LabRequestName>(name: N, params: LabParams<N>): Promise<LabResult<N>> {
    return this.request(name, params) as Promise<LabResult<N>>;
  }

  dispose(): void {
    for (const timer of this.cancelTimers.values()) clearTimeout(timer);
    this.engine.stop();
  }

  /** For tests of the crash path: kills the engine process from the inside. */
  crashEngineForTest(): Promise<unknown> {
    return this.engine.call({ kind: 'crash' }).catch(() => undefined);
  }

  private readonly handlers: Handlers = {
    openModel: async ({ folder }: { folder?: string }) => {
      const target = folder ?? startupModelFolder();
      if (!target) throw new LabRequestError('no model folder given and no bundled model found; choose a model folder');
      const info = await this.engine.call({ kind: 'openModel', folder: target });
      this.model = info;
      this.allExamples = null;
      return info;
    },
    chooseModelFolder: async () => (this.options.chooseFolder ? this.options.chooseFolder() : null),
    taskExamples: async ({ limit }: { limit: number }) => {
      const model = await this.currentModel();
      return this.engine.call({ kind: 'taskExamples', folder: model.folder, limit });
    },
    startRun: async (params: StartRunParams) => this.startRun(params),
    forkRun: async (params: z.output<(typeof labRequests)['forkRun']['params']>) => this.forkRun(params),
    listDirections: async () => listDirections((await this.currentModel()).folder),
    restartEngine: () => {
      this.engine.restartByUser();
      this.emit('engineStatus', { state: 'restarted', message: 'the engine was restarted' });
      return { restarted: true };
    },
    cancelRun: ({ runId }: { runId: string }) => {
      const run = this.run(runId);
      if (!run.running) return { cancelled: false };
      this.engine.send({ type: 'cancelRun', runId });
      this.armCancelDeadline(runId);
      return { cancelled: true };
    },
    listRuns: () => [...this.runs.values()].map((run) => run.summary),
    getTree: ({ runId }: { runId: string }) => {
      const run = this.run(runId);
      return { tree: run.tree ?? emptyTree(), seq: run.seq };
    },
    inspectNode: async ({ runId, nodeId, lens = 'logit' }: { runId: string; nodeId: number; lens?: LensKind }) => {
      const run = this.run(runId);
      const tree = run.tree;
      const node = tree?.nodes[nodeId];
      if (!tree || !node) throw new LabRequestError(`run ${runId} has no node ${nodeId}`);
      const ids = pathIds(tree, nodeId);
      const folder = run.folder ?? this.sameModelFolder(run);
      if (folder === null) return { pathText: pathTextOffline(tree, ids), lens: node.lens ?? null };
      const inspected = await this.engine.call(
        inspectCall({
          run,
          path: ids.map((id) => tree.nodes[id]!),
          rootId: tree.rootId,
          folder,
          lens,
          openModel: this.model,
          thoughts: run.summary.forkOf ? this.thoughtSettings(run) : undefined,
        }),
      );
      const stored = lens === 'logit' ? node.lens : undefined;
      return {
        pathText: inspected.pathText,
        lens: stored ?? inspected.lens,
        ...(inspected.availableLenses ? { availableLenses: inspected.availableLenses } : {}),
      };
    },
    exportComparison: ({ runIds }: { runIds: string[] }) => comparisonFile(runIds.map((id) => this.run(id))),
    importComparison: ({ file }: { file: unknown }) => this.importComparison(file),
    removeRun: ({ runId }: { runId: string }) => {
      const run = this.runs.get(runId);
      if (!run) return { removed: false };
      if (run.running) throw new LabRequestError('cancel the run before removing it');
      this.runs.delete(runId);
      this.emit('runRemoved', { runId });
      return { removed: true };
    },
    startEval: async ({ configs, limit }: { configs: Record<string, unknown>[]; limit: number }) => {
      const model = await this.currentModel();
      const resolved = configs.map((config, i) => resolveRunConfig(model, config, `configs.${i}`));
      return this.evals.start(model.folder, resolved, limit);
    },
    cancelEval: ({ evalId }: { evalId: string }) => this.evals.cancel(evalId),
  };

  /**
   * An imported run's model, when the open model is the same one (same name and shape): the lens can then be
   * recomputed for it. Null otherwise: the run stays browsable offline.
   */
  private sameModelFolder(run: HostRun): string | null {
    const open = this.model;
    if (!open) return null;
    const same =
      open.name === run.model.name && open.vocabSize === run.model.vocabSize && open.numLayers === run.model.numLayers;
    return same ? open.folder : null;
  }

  private async currentModel(): Promise<ModelInfo> {
    return this.model ?? (await this.handlers.openModel({}));
  }

  private run(runId: string): HostRun {
    const run = this.runs.get(runId);
    if (!run) throw new LabRequestError(`no run ${runId}`);
    return run;
  }

  private async startRun(params: StartRunParams): Promise<{ runId: string }> {
    const model = await this.currentModel();
    let task: TaskExample | undefined;
    if (params.taskIndex !== undefined) {
      this.allExamples ??= await this.engine.call({ kind: 'taskExamples', folder: model.folder, limit: 10000 });
      task = this.allExamples.find((e) => e.index === params.taskIndex);
      if (!task) throw new LabRequestError(`the model's task has no test example ${params.taskIndex}`);
    }
    const config = resolveRunConfig(model, params.config, 'startRun: config', task);
    const intervention = params.intervention ? resolveIntervention(model, params.intervention) : undefined;
    const number = ++this.runCounter;
    const runId = `run-${number}`;
    const summary: RunSummary = {
      runId,
      label: params.label?.trim() || defaultRunLabel(config, number),
      prompt: params.prompt,
      config: config,
      state: 'running',
      model: model.name,
      ...(task ? { task } : {}),
      ...(params.intervention ? { intervention: params.intervention } : {}),
    };
    if (params.intervention && !params.label?.trim())
      summary.label += ` · ${describeIntervention(params.intervention)}`;
    this.announce(
      new HostRun(summary, model.folder, {
        name: model.name,
        convention: model.convention,
        vocabSize: model.vocabSize,
        numLayers: model.numLayers,
      }),
    );
    this.engine.send({
      type: 'startRun',
      runId,
      folder: model.folder,
      prompt: params.prompt,
      config: config,
      ...(params.taskIndex !== undefined ? { taskIndex: params.taskIndex } : {}),
      ...(intervention ? { intervention } : {}),
    });
    return { runId };
  }

  /** A fork is a new run: the source's tree plus what `config` grows from the node under the intervention. */
  private async forkRun(params: z.output<(typeof labRequests)['forkRun']['params']>): Promise<{ runId: string }> {
    const model = await this.currentModel();
    const source = this.run(params.runId);
    if (source.running) throw new LabRequestError('wait for the run to finish (or cancel it) before forking it');
    const tree = source.tree;
    const node = tree?.nodes[params.nodeId];
    if (!tree || !node) throw new LabRequestError(`run ${params.runId} has no node ${params.nodeId}`);
    const folder = source.folder ?? this.sameModelFolder(source);
    if (folder !== model.folder)
      throw new LabRequestError(`run ${params.runId} was made with another model than the open one (${model.name})`);
    const config = resolveRunConfig(model, params.config, 'forkRun: config', source.summary.task);
    const intervention: InterventionSpec | undefined = params.intervention;
    const resolved = intervention ? resolveIntervention(model, intervention) : undefined;
    const what = intervention ? describeIntervention(intervention) : 'no intervention';
    const thoughts = this.thoughtSettings(source);
    const number = ++this.runCounter;
    const runId = `run-${number}`;
    const at = node.parents.length === 0 ? 'the prompt' : JSON.stringify(node.text);
    const summary: RunSummary = {
      runId,
      label: params.label?.trim() || `${source.summary.label} → fork: ${config.strategy} at ${at} · ${what}`,
      prompt: source.summary.prompt,
      config,
      state: 'running',
      model: model.name,
      ...(source.summary.task ? { task: source.summary.task } : {}),
      ...(intervention ? { intervention } : {}),
      forkOf: { runId: params.runId, nodeId: params.nodeId },
    };
    this.announce(new HostRun(summary, model.folder, source.model));
    this.engine.send({
      type: 'startFork',
      runId,
      folder: model.folder,
      prompt: summary.prompt,
      config,
      ...(source.summary.task ? { taskIndex: source.summary.task.index } : {}),
      ...(resolved ? { intervention: resolved } : {}),
      source: tree,
      nodeId: params.nodeId,
      label: what,
      ...(thoughts ? { thoughts } : {}),
    });
    return { runId };
  }

  /**
   * The settings that made a tree's unmarked continuous thoughts: a fork marks every node it grows, so they are
   * the first run's of the fork chain. Undefined when that run is not latent or is gone (the engine then checks
   * the thoughts against their readouts with its defaults).
   */
  private thoughtSettings(run: HostRun): ConfigOf<'latent'> | undefined {
    let first: HostRun | undefined = run;
    while (first?.summary.forkOf) first = this.runs.get(first.summary.forkOf.runId);
    const config = first?.summary.config;
    return config?.strategy === 'latent' ? config : undefined;
  }

  private onRunMessage(message: RunMessage): void {
    switch (message.type) {
      case 'evalProgress':
      case 'evalDone':
      case 'evalFailed':
        this.evals.onMessage(message, this.model?.name ?? '');
        return;
    }
    const run = this.runs.get(message.runId);
    if (!run) return;
    switch (message.type) {
      case 'runTree':
        this.sendPatches(run, run.replaceTree(message.tree));
        break;
      case 'runPatches':
        run.applyPatches(message.patches);
        this.sendPatches(run, message.patches);
        break;
      case 'runProgress':
        if (run.progressDue(performance.now()))
          this.emit('runProgress', { runId: run.summary.runId, ...message.progress });
        break;
      case 'runDone':
        // The final tree is authoritative; it matches what the patches built unless a message was lost.
        if (run.tree === null) this.sendPatches(run, run.replaceTree(message.tree));
        else run.tree = message.tree;
        this.finish(run, {
          state: message.result.cancelled ? 'cancelled' : 'done',
          stats: message.stats,
          result: message.result,
        });
        break;
      case 'runFailed':
        if (message.partial) {
          // The run keeps what it built: browsable, in the table, exportable.
          if (run.tree === null) this.sendPatches(run, run.replaceTree(message.partial.tree));
          else run.tree = message.partial.tree;
          this.finish(run, {
            state: 'failed',
            error: message.message,
            stats: message.partial.stats,
            result: message.partial.result,
          });
        } else this.finish(run, { state: 'failed', error: message.message });
        break;
    }
  }

  private sendPatches(run: HostRun, patches: Patch[]): void {
    this.emit('runPatches', { runId: run.summary.runId, seq: run.nextSeq(), patches });
  }

  /** A run the engine is about to start: listed, announced, and the engine shown busy if it was idle. */
  private announce(run: HostRun): void {
    const wasIdle = !this.anyRunning();
    this.runs.set(run.summary.runId, run);
    this.emit('runStarted', run.summary);
    if (wasIdle) this.emit('engineStatus', { state: 'busy' });
  }

  private anyRunning(): boolean {
    return [...this.runs.values()].some((r) => r.running);
  }

  private finish(run: HostRun, update: Partial<RunSummary>): void {
    const timer = this.cancelTimers.get(run.summary.runId);
    if (timer) clearTimeout(timer);
    this.cancelTimers.delete(run.summary.runId);
    run.summary = { ...run.summary, ...update };
    this.emit('runFinished', run.summary);
    if (!this.anyRunning()) this.emit('engineStatus', { state: 'ready' });
  }

  /** Cancel acts between steps; a step that never returns is ended by killing the engine (last resort). */
  private armCancelDeadline(runId: string): void {
    if (this.cancelTimers.has(runId)) return;
    const timer = setTimeout(() => {
      this.cancelTimers.delete(runId);
      if (this.runs.get(runId)?.running) this.engine.restart('a cancelled run did not stop in time');
    }, this.options.cancelGraceMs ?? 15_000);
    this.cancelTimers.set(runId, timer);
  }

  private onCrash(reason: string): void {
    this.emit('engineStatus', { state: 'crashed', message: `the engine process stopped (${reason})` });
    for (const run of this.runs.values()) {
      if (!run.running) continue;
      const kept = run.tree ? `; the ${run.tree.order.length} nodes built so far are kept` : '';
      this.finish(run, { state: 'failed', error: `the engine process stopped (${reason})${kept}` });
    }
    this.evals.failAll(reason, this.model?.name ?? '');
    // A fresh engine has no models loaded; the next request reloads the current one by folder.
  }

  private importComparison(input: unknown): { runIds: string[] } {
    const imported = runsFromFile(input, () => `run-${++this.runCounter}`);
    // all or nothing: a run that cannot be announced takes the whole import back out
    try {
      for (const { run, tree } of imported) {
        this.runs.set(run.summary.runId, run);
        this.emit('runStarted', run.summary);
        this.sendPatches(run, run.replaceTree(tree));
        this.emit('runFinished', run.summary);
      }
    } catch (err) {
      for (const { run } of imported) {
        if (this.runs.delete(run.summary.runId)) this.emit('runRemoved', { runId: run.summary.runId });
      }
      throw err;
    }
    return { runIds: imported.map(({ run }) => run.summary.runId) };
  }

  private emit<E extends LabEventName>(event: E, payload: LabEvents[E]): void {
    for (const listener of this.listeners) listener(event, payload);
  }
}

function emptyTree(): TreeState {
  return { rootId: 0, nodes: {}, order: [] };
}
