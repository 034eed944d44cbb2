import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../engine/io/atomic-write';
import { checkOutputFile } from '../output-file';
import { modelFromArg } from '../model-arg';
import { strategyFromSpec, UsageError } from '../strategy-args';
import { taskFilesOf } from '../execute';
import { DEFAULT_CONCURRENCY } from '../../engine/search/run-batch';
import { evaluateStrategy, splitTokenBudget, type StrategyScore } from '../../engine/task/evaluate-split';
import { ProgressBar } from '../progress';
import { formatBytes, formatTable } from '../table';
import { describeConfig } from '../run-report';
import { missingCapabilities } from '../../engine/model/signature';
import { strategyNeeds } from '../../engine/strategies/registry';
import { interventionFromFlags, STEER_OPTIONS } from '../steer-args';
import { STEER_TOWARD_OPTIONS, steerTowardCommand } from '../steer-toward-report';

/** The default accuracy-vs-compute comparison; strategies a model cannot run are skipped with a note. */
export const DEFAULT_EVAL = [
  'greedy',
  'beam num-beams=4',
  'sampling n=8 seed=0 temperature=0.7',
  'bfs width=8 top-k=3 merge={"kind":"text"}',
  'latent mode=mixture thoughts=3',
  'hmm width=8 top-k=3 states=4',
];

export function evalTable(scores: StrategyScore[]): string {
  return formatTable(
    [
      'strategy',
      'accuracy',
      'max-marginal acc.',
      'malformed',
      'chain valid',
      'forward passes',
      'tokens evaluated',
      'wall time (s)',
      'peak KV',
      'latent vs truth',
    ],
    scores.map((s) => [
      describeConfig(s.config)
        .replace(/"maxNewTokens":\d+,?|"topkShown":\d+,?/g, '')
        .replace(',}', '}'),
      `${(100 * s.accuracy).toFixed(1)}%`,
      s.marginalAccuracy === undefined ? '-' : `${(100 * s.marginalAccuracy).toFixed(1)}%`,
      `${(100 * s.malformedRate).toFixed(1)}%`,
      s.chainValidRate === undefined ? 'n/a' : `${(100 * s.chainValidRate).toFixed(1)}%`,
      s.forwardPasses,
      s.tokensEvaluated,
      s.wallTimeMs / 1000,
      formatBytes(s.peakKvBytes),
      latentColumn(s),
    ]),
  );
}

function latentColumn(s: StrategyScore): string {
  const parts: string[] = [];
  if (s.stateScores) {
    // count weighting (every hypothesis once); chance = random state labels of the same sizes
    const c = s.stateScores.count;
    parts.push(
      `state purity ${c.purity.toFixed(2)} (chance ${c.purityChance.toFixed(2)}), NMI ${c.nmi.toFixed(2)} (chance ${c.nmiChance.toFixed(2)})`,
    );
  }
  if (s.thoughtRecall !== undefined) parts.push(`thought frontier recall ${s.thoughtRecall.toFixed(2)}`);
  return parts.join('; ') || '-';
}

export async function evalCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      run: { type: 'string', multiple: true },
      limit: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      json: { type: 'string' },
      batch: { type: 'string' },
      ...STEER_OPTIONS,
      ...STEER_TOWARD_OPTIONS,
    },
  });
  checkOutputFile(values.json, '--json');
  const model = await modelFromArg(values.model, values.threads);
  try {
    const files = taskFilesOf(model);
    const limit = values.limit !== undefined ? Number(values.limit) : undefined;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
      throw new UsageError('--limit must be a positive integer');
    const maxNewTokens =
      values['max-new-tokens'] !== undefined ? Number(values['max-new-tokens']) : splitTokenBudget(files);
    const requested = (values.run ?? DEFAULT_EVAL).map((spec) => strategyFromSpec(spec, { maxNewTokens }, model));
    const configs = requested.filter((config) => {
      const missing = missingCapabilities(model.info.capabilities, strategyNeeds(config));
      if (missing && values.run)
        throw new UsageError(`${config.strategy} cannot run on ${model.info.name}: the model lacks ${missing}`);
      if (missing) console.log(`skipping ${config.strategy}: the model lacks ${missing}`);
      return !missing;
    });
    const n = Math.min(limit ?? files.test.length, files.test.length);
    // examples evaluated together, their forward passes merged (1: one by one; the answers are the same)
    const batch = values.batch !== undefined ? Number(values.batch) : DEFAULT_CONCURRENCY;
    if (!Number.isInteger(batch) || batch < 1) throw new UsageError('--batch must be a positive integer');
    console.log(`model: ${model.info.name}   test examples: ${n}   max new tokens: ${maxNewTokens}`);
    if (values['steer-toward'] !== undefined) return await steerTowardCommand(model, files, configs, values, n);
    const intervention = interventionFromFlags(model, values);
    if (intervention) console.log(`intervention (every run): ${intervention.label}`);
    const scores: StrategyScore[] = [];
    for (const config of configs) {
      const bar = new ProgressBar(config.strategy.padEnd(8));
      scores.push(
        await evaluateStrategy(model, files, config, {
          limit: n,
          concurrency: batch,
          intervention: intervention?.inputs,
          onExample: (done, total) => bar.update(done / total, `${done}/${total}`),
        }),
      );
      bar.done();
    }
    console.log(evalTable(scores));
    if (values.json) {
      writeFileAtomic(values.json, JSON.stringify({ model: model.info.name, examples: n, scores }, null, 1));
      console.log(`wrote ${values.json}`);
    }
  } finally {
    await model.release();
  }
}
