import type { Patch } from 'immer';
import type { ModelInfo } from '../../shared/model';
import type { ConfigOf, StrategyConfig } from '../../shared/strategies';
import type { RunProgress, RunResult, RunStats } from '../../shared/run';
import type { LensKind, LensLayer, TreeNode, TreeState } from '../../shared/tree';
import type { TaskExample } from '../../shared/lab-api';
import type { EvalScore } from '../../shared/eval';
import type { InterventionSpec } from '../../shared/intervention';

/**
 * Messages between the main process (host) and the engine process (child). Both transports
 * (child_process.fork and Electron's utilityProcess) carry structured clones of these objects.
 */
export type EngineCall =
  | { kind: 'openModel'; folder: string }
  | { kind: 'taskExamples'; folder: string; limit: number }
  /** the decoded path and logit lens of a node; `path` holds the nodes from the root to it */
  | {
      kind: 'inspect';
      folder: string;
      prompt: string;
      config: StrategyConfig;
      path: TreeNode[];
      withLens: boolean;
      lens?: LensKind;
      intervention?: InterventionSpec;
      forked?: boolean;
      /** a fork: how its thoughts are rebuilt (see inspectPath) */
      fork?: { thoughts?: ConfigOf<'latent'>; fromRoot: boolean };
    }
  /** deliberately kills the engine process (tests of the crash path) */
  | { kind: 'crash' };

export interface EngineCallResults {
  openModel: ModelInfo;
  taskExamples: TaskExample[];
  inspect: { pathText: string; lens: LensLayer[] | null; availableLenses?: LensKind[] };
  crash: never;
}

/** What every run the engine starts is given (a fork adds its source tree and fork node). */
interface RunStart {
  runId: string;
  folder: string;
  prompt: string;
  config: StrategyConfig;
  taskIndex?: number;
  intervention?: InterventionSpec;
}

export type HostToEngine =
  | { type: 'call'; callId: number; call: EngineCall }
  | ({ type: 'startRun' } & RunStart)
  /** a run that grows `source` from `nodeId` under the intervention (direction paths resolved by the host) */
  | ({
      type: 'startFork';
      source: TreeState;
      nodeId: number;
      label: string;
      /** the latent settings that made the source's continuous thoughts (the original run's), when known */
      thoughts?: ConfigOf<'latent'>;
    } & RunStart)
  /** an evaluation over task examples; cancelled with cancelRun and the eval's id */
  | { type: 'startEval'; evalId: string; folder: string; configs: StrategyConfig[]; limit: number }
  | { type: 'cancelRun'; runId: string };

export type EngineToHost =
  | { type: 'ready' }
  | { type: 'callResult'; callId: number; ok: true; value: unknown }
  | { type: 'callResult'; callId: number; ok: false; message: string }
  /** the tree as it stands before the first patch (a single prompt node) */
  | { type: 'runTree'; runId: string; tree: TreeState }
  | { type: 'runPatches'; runId: string; patches: Patch[] }
  | { type: 'runProgress'; runId: string; progress: RunProgress }
  | { type: 'runDone'; runId: string; tree: TreeState; stats: RunStats; result: RunResult }
  | { type: 'evalProgress'; evalId: string; done: number; total: number; message: string }
  | { type: 'evalDone'; evalId: string; cancelled: boolean; scores: EvalScore[] }
  | { type: 'evalFailed'; evalId: string; message: string; scores: EvalScore[] }
  /** `partial`: what the run had built when a step failed (absent when it failed before it started) */
  | {
      type: 'runFailed';
      runId: string;
      message: string;
      partial?: { tree: TreeState; stats: RunStats; result: RunResult };
    };
