import { describe, expect, it } from 'vitest';
import { EvalRuns } from '../../../src/main/host/eval-runs';
import type { HostToEngine } from '../../../src/main/engine-link/protocol';
import type { LabEvents } from '../../../src/shared/lab-api';
import { resolveStrategyConfig } from '../../../src/shared/strategies';

function harness() {
  const sent: HostToEngine[] = [];
  const finished: LabEvents['evalFinished'][] = [];
  const progress: LabEvents['evalProgress'][] = [];
  const evals = new EvalRuns((m) => sent.push(m), {
    evalProgress: (p) => progress.push(p),
    evalFinished: (f) => finished.push(f),
  });
  return { evals, sent, finished, progress };
}

const greedy = resolveStrategyConfig({ strategy: 'greedy' });

describe('the evaluations the host runs', () => {
  it('starts one per call, and cancels only one that is running', () => {
    const { evals, sent } = harness();
    expect(evals.start('/m', [greedy], 5)).toEqual({ evalId: 'eval-1' });
    expect(evals.start('/m', [greedy], 5)).toEqual({ evalId: 'eval-2' });
    expect(sent[0]).toEqual({ type: 'startEval', evalId: 'eval-1', folder: '/m', configs: [greedy], limit: 5 });
    expect(evals.cancel('eval-9')).toEqual({ cancelled: false });
    expect(evals.cancel('eval-2')).toEqual({ cancelled: true });
    expect(sent[2]).toEqual({ type: 'cancelRun', runId: 'eval-2' });
  });

  it('reports progress and the end as the engine tells them; a finished one can no longer be cancelled', () => {
    const { evals, finished, progress } = harness();
    const { evalId } = evals.start('/m', [greedy], 2);
    evals.onMessage({ type: 'evalProgress', evalId, done: 1, total: 2, message: 'greedy 1/2' }, 'tiny');
    expect(progress).toEqual([{ evalId, done: 1, total: 2, message: 'greedy 1/2' }]);
    evals.onMessage({ type: 'evalDone', evalId, cancelled: true, scores: [] }, 'tiny');
    expect(finished).toEqual([{ evalId, state: 'cancelled', model: 'tiny', scores: [] }]);
    expect(evals.cancel(evalId)).toEqual({ cancelled: false });
  });

  it('fails every running evaluation once when the engine process stops', () => {
    const { evals, finished } = harness();
    const a = evals.start('/m', [greedy], 2).evalId;
    const b = evals.start('/m', [greedy], 2).evalId;
    evals.onMessage({ type: 'evalFailed', evalId: a, message: 'no task', scores: [] }, 'tiny');
    evals.failAll('signal SIGSEGV', 'tiny');
    evals.failAll('signal SIGSEGV', 'tiny');
    expect(finished).toEqual([
      { evalId: a, state: 'failed', model: 'tiny', scores: [], error: 'no task' },
      { evalId: b, state: 'failed', model: 'tiny', scores: [], error: 'the engine process stopped (signal SIGSEGV)' },
    ]);
  });
});
