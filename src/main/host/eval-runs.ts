import type { LabEvents } from '../../shared/lab-api';
import type { StrategyConfig } from '../../shared/strategies';
import type { HostToEngine } from '../engine-link/protocol';
import type { RunMessage } from './engine-supervisor';

type EvalMessage = Extract<RunMessage, { type: 'evalProgress' | 'evalDone' | 'evalFailed' }>;

interface EvalEvents {
  evalProgress(progress: LabEvents['evalProgress']): void;
  evalFinished(finished: LabEvents['evalFinished']): void;
}

/** The evaluations the engine is running for the host: started, cancelled, reported, or failed by a crash. */
export class EvalRuns {
  private readonly running = new Set<string>();
  private counter = 0;

  constructor(
    private readonly send: (message: HostToEngine) => void,
    private readonly events: EvalEvents,
  ) {}

  start(folder: string, configs: StrategyConfig[], limit: number): { evalId: string } {
    const evalId = `eval-${++this.counter}`;
    this.running.add(evalId);
    this.send({ type: 'startEval', evalId, folder, configs, limit });
    return { evalId };
  }

  cancel(evalId: string): { cancelled: boolean } {
    if (!this.running.has(evalId)) return { cancelled: false };
    this.send({ type: 'cancelRun', runId: evalId });
    return { cancelled: true };
  }

  /** An evaluation's message from the engine; `model` names the model in its final report. */
  onMessage(message: EvalMessage, model: string): void {
    if (message.type === 'evalProgress') {
      const { type: _type, ...progress } = message;
      this.events.evalProgress(progress);
      return;
    }
    this.running.delete(message.evalId);
    this.events.evalFinished({
      evalId: message.evalId,
      state: message.type === 'evalFailed' ? 'failed' : message.cancelled ? 'cancelled' : 'done',
      model,
      scores: message.scores,
      ...(message.type === 'evalFailed' ? { error: message.message } : {}),
    });
  }

  /** The engine process stopped: every evaluation it was running has failed. */
  failAll(reason: string, model: string): void {
    for (const evalId of this.running) {
      this.events.evalFinished({
        evalId,
        state: 'failed',
        model,
        scores: [],
        error: `the engine process stopped (${reason})`,
      });
    }
    this.running.clear();
  }
}
