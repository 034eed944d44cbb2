import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { finished, startService, waitFor } from './service-harness';
import type { LabEvents } from '../../../src/shared/lab-api';

const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../resources/models');
const COT = path.join(MODELS, 'ontology-cot');
const COCONUT = path.join(MODELS, 'ontology-coconut');

const { service, events } = startService();
afterAll(() => service.dispose());

const evalFinished = (evalId: string) =>
  waitFor(
    () =>
      events.find((e) => e.event === 'evalFinished' && e.payload.evalId === evalId)?.payload as
        LabEvents['evalFinished'] | undefined,
    60_000,
  );

describe('LabService: defaults, guards and evaluation', () => {
  it('starts any example of the split after the picker asked for fewer', async () => {
    await service.call('openModel', { folder: COT });
    const few = await service.call('taskExamples', { limit: 200 });
    expect(few).toHaveLength(200);
    expect(few[0]!.tokenBudget).toBeGreaterThan(32);
    const all = await service.call('taskExamples', { limit: 10000 });
    expect(all).toHaveLength(300);
    // the settings left out take the task's token budget
    const { runId } = await service.call('startRun', {
      prompt: all[250]!.prompt,
      taskIndex: 250,
      config: { strategy: 'greedy' },
    });
    const summary = await finished(events, runId);
    expect(summary.state).toBe('done');
    expect(summary.config.maxNewTokens).toBe(all[250]!.tokenBudget);
    expect(summary.task?.answer).toBe(all[250]!.answer);
    expect(summary.result?.task?.verdict).toBeDefined();
  });

  it('refuses a run that cannot fit in the context with both numbers, before it starts', async () => {
    const info = await service.call('openModel', { folder: COT });
    expect(info.contextLength).toBe(128);
    const { runId } = await service.call('startRun', {
      prompt: 'tom is a wumpus .',
      config: { strategy: 'greedy', maxNewTokens: 200 },
    });
    const summary = await finished(events, runId);
    expect(summary.state).toBe('failed');
    expect(summary.error).toMatch(
      /the prompt has \d+ tokens and maxNewTokens 200 would need \d+ positions, but ontology-cot has a context of 128/,
    );
  });

  it("applies a continuous-thought model's declared thoughts and mode, and exposes them on the model info", async () => {
    const info = await service.call('openModel', { folder: COCONUT });
    expect(info.strategyDefaults).toEqual({ latent: { thoughts: 6, mode: 'hidden' } });
    const { runId } = await service.call('startRun', {
      prompt: 'tom is a wumpus .',
      config: { strategy: 'latent', maxNewTokens: 4 },
    });
    const summary = await finished(events, runId);
    expect(summary.config).toMatchObject({ strategy: 'latent', thoughts: 6, mode: 'hidden' });
    // a setting the client gives wins over the model's
    const explicit = await service.call('startRun', {
      prompt: 'tom is a wumpus .',
      config: { strategy: 'latent', mode: 'mixture', thoughts: 2, maxNewTokens: 4 },
    });
    expect((await finished(events, explicit.runId)).config).toMatchObject({ thoughts: 2, mode: 'mixture' });
  });

  it('evaluates strategies over task examples with progress, and cancels', async () => {
    await service.call('openModel', { folder: COT });
    const { evalId } = await service.call('startEval', {
      configs: [
        { strategy: 'greedy', maxNewTokens: 60 },
        { strategy: 'beam', numBeams: 2, maxNewTokens: 60 },
      ],
      limit: 3,
    });
    const done = await evalFinished(evalId);
    expect(done.state).toBe('done');
    expect(done.scores.map((s) => s.config.strategy)).toEqual(['greedy', 'beam']);
    for (const score of done.scores) {
      expect(score.examples).toBe(3);
      expect(score.forwardPasses).toBeGreaterThan(0);
      expect(score.accuracy * 3).toBeCloseTo(Math.round(score.accuracy * 3), 9);
    }
    const progress = events
      .filter((e) => e.event === 'evalProgress' && e.payload.evalId === evalId)
      .map((e) => (e.payload as LabEvents['evalProgress']).done);
    expect(progress.at(-1)).toBe(6);

    const long = await service.call('startEval', { configs: [{ strategy: 'greedy', maxNewTokens: 60 }], limit: 300 });
    await waitFor(() => events.some((e) => e.event === 'evalProgress' && e.payload.evalId === long.evalId));
    expect(await service.call('cancelEval', { evalId: long.evalId })).toEqual({ cancelled: true });
    const cancelled = await evalFinished(long.evalId);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.scores).toEqual([]);
  });
});
