import { writeFileAtomic } from '../engine/io/atomic-write';
import type { LoadedModel } from '../engine/model/load-model';
import type { StrategyConfig } from '../../shared/strategies';
import type { TaskFiles } from '../engine/task/task-files';
import { steerTowardDistractor, type SteerTowardResult } from '../engine/intervention/steer-toward';
import { ProgressBar } from './progress';
import { formatTable } from './table';
import { describeConfig } from './run-report';
import { UsageError } from './strategy-args';

/** eval's flags for the steering experiment. */
export const STEER_TOWARD_OPTIONS = {
  'steer-toward': { type: 'string' },
  scales: { type: 'string' },
} as const;

export function steerTowardTable(results: SteerTowardResult[]): string {
  return formatTable(
    ['strategy', 'layers', 'scale', 'accuracy', 'answer flipped', 'answer = distractor', 'malformed'],
    results.flatMap((r) =>
      r.rows.map((row) => [
        describeConfig(r.config)
          .replace(/"maxNewTokens":\d+,?|"topkShown":\d+,?/g, '')
          .replace(',}', '}'),
        r.layers.join(','),
        row.scale,
        `${(100 * row.accuracy).toFixed(1)}%`,
        `${(100 * row.flipRate).toFixed(1)}%`,
        `${(100 * row.distractorRate).toFixed(1)}%`,
        `${(100 * row.malformedRate).toFixed(1)}%`,
      ]),
    ),
  );
}

/** `eval --steer-toward distractor --scales 0.25,0.5,1 [--layers 2]`: answer flips against the steering scale. */
export async function steerTowardCommand(
  model: LoadedModel,
  files: TaskFiles,
  configs: StrategyConfig[],
  values: Record<string, unknown>,
  limit: number,
): Promise<void> {
  if (values['steer-toward'] !== 'distractor')
    throw new UsageError(
      '--steer-toward takes "distractor" (a direction per question: distractor concept minus answer concept)',
    );
  if (values.steer !== undefined || values.ablate !== undefined)
    throw new UsageError('--steer-toward makes its own direction per question; drop --steer/--ablate');
  const scales = String(values.scales ?? '0.25,0.5,1')
    .split(',')
    .map(Number);
  if (scales.some((s) => !Number.isFinite(s))) throw new UsageError('--scales takes numbers like 0.25,0.5,1');
  const layers = String(values.layers ?? '2')
    .split(',')
    .map(Number);
  const results: SteerTowardResult[] = [];
  for (const config of configs) {
    const bar = new ProgressBar(config.strategy.padEnd(8));
    results.push(
      await steerTowardDistractor(model, files, config, {
        scales,
        layers,
        limit,
        onExample: (done, total) => bar.update(done / total, `${done}/${total}`),
      }),
    );
    bar.done();
  }
  console.log(steerTowardTable(results));
  if (typeof values.json === 'string') {
    writeFileAtomic(
      values.json,
      JSON.stringify(
        { model: model.info.name, examples: limit, experiment: 'steer toward the distractor', results },
        null,
        1,
      ),
    );
    console.log(`wrote ${values.json}`);
  }
}
