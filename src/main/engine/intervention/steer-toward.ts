import type { LoadedModel } from '../model/load-model';
import type { StrategyConfig } from '../../../shared/strategies';
import type { TaskFiles } from '../task/task-files';
import { runSearch } from '../search/run-search';
import { taskJudge } from '../task/checker';
import { taskContextOf } from '../task/task-context-of';
import { makeDirection } from './make-direction';
import { compileInterventions } from './compile';

/** The names the task puts in its questions: prompts about a concept use several, so no one name is the direction. */
const NAMES = ['tom', 'ann', 'bob', 'eve', 'sam', 'max', 'sue', 'ted'];

/** Prompts about a concept in the task's own words, ending on the concept (where its representation is read). */
export function promptsAbout(concept: string): string[] {
  return NAMES.map((name) => `${name} is a ${concept}`);
}

export interface ScaleRow {
  scale: number;
  examples: number;
  accuracy: number;
  /** the answer differs from the unsteered run's answer (a malformed output counts as a change) */
  flipRate: number;
  /** the answer is the question's distractor option */
  distractorRate: number;
  malformedRate: number;
}

export interface SteerTowardResult {
  config: StrategyConfig;
  layers: number[];
  rows: ScaleRow[];
  /** per example and scale: the checker's answer (null when malformed) */
  answers: { index: number; answer: string; distractor: string; byScale: (string | null)[] }[];
}

/**
 * Steering toward the distractor: for each test question, a direction from prompts about the distractor concept
 * minus prompts about the answer concept (mean residual at the last token after each of `layers`), added at every
 * position with each scale; how often the answer flips, and to the distractor, against the scale. Scale 0 (always
 * run) is the unsteered baseline the flips are counted against; a negative scale steers toward the answer.
 */
export async function steerTowardDistractor(
  model: LoadedModel,
  files: TaskFiles,
  config: StrategyConfig,
  options: {
    scales: number[];
    layers: number[];
    limit?: number;
    onExample?: (done: number, total: number) => void;
    signal?: AbortSignal;
  },
): Promise<SteerTowardResult> {
  const scales = options.scales.includes(0) ? [...options.scales] : [0, ...options.scales];
  scales.sort((a, b) => a - b);
  const records = files.test.slice(0, options.limit ?? files.test.length);
  const answers: SteerTowardResult['answers'] = [];
  const verdicts: string[][] = scales.map(() => []);
  for (const [index, record] of records.entries()) {
    if (options.signal?.aborted) break;
    const direction = await makeDirection(model, {
      positive: promptsAbout(record.distractor),
      negative: promptsAbout(record.answer),
      layers: options.layers,
    });
    const byScale: (string | null)[] = [];
    for (const [k, scale] of scales.entries()) {
      const inputs =
        scale === 0
          ? {}
          : compileInterventions(
              model,
              [{ kind: 'steer', direction: '(per question)', scale }],
              new Map([['(per question)', direction]]),
            );
      const out = await runSearch({
        model,
        prompt: record.prompt,
        config,
        ...inputs,
        task: taskContextOf(index, record),
        judge: taskJudge(files.ontology, record),
      });
      const verdict = out.result.task!;
      byScale.push(verdict.verdict === 'malformed' ? null : verdict.answer);
      verdicts[k]!.push(verdict.verdict);
    }
    answers.push({ index, answer: record.answer, distractor: record.distractor, byScale });
    options.onExample?.(index + 1, records.length);
  }
  const n = Math.max(1, answers.length);
  const base = scales.indexOf(0);
  const rows = scales.map((scale, k) => ({
    scale,
    examples: answers.length,
    accuracy: verdicts[k]!.filter((v) => v === 'correct').length / n,
    flipRate: answers.filter((a) => a.byScale[k] !== a.byScale[base]).length / n,
    distractorRate: answers.filter((a) => a.byScale[k] === a.distractor).length / n,
    malformedRate: verdicts[k]!.filter((v) => v === 'malformed').length / n,
  }));
  return { config, layers: options.layers, rows, answers };
}
