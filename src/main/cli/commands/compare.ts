import { parseArgs } from 'node:util';
import { buildExportFile, type FinishedRun } from '../../engine/export/build-export';
import { strategyFromSpec } from '../strategy-args';
import { modelFromArg } from '../model-arg';
import { executeRun, promptSource, promptText } from '../execute';
import { writeFileAtomic } from '../../engine/io/atomic-write';
import { checkOutputFile } from '../output-file';
import { comparisonTable } from '../run-report';
import { exportTask, taskTokenBudget } from './run';
import { interventionFromFlags, STEER_OPTIONS } from '../steer-args';

export const DEFAULT_COMPARISON = ['greedy', 'beam num-beams=4', 'sampling n=8 seed=0'];

export async function compareCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      prompt: { type: 'string' },
      'prompt-file': { type: 'string' },
      task: { type: 'string' },
      run: { type: 'string', multiple: true },
      'max-new-tokens': { type: 'string' },
      out: { type: 'string' },
      ...STEER_OPTIONS,
    },
  });
  const out = checkOutputFile(values.out, '--out');
  const prompt = promptText(values.prompt, values['prompt-file']);
  const model = await modelFromArg(values.model, values.threads);
  try {
    const source = promptSource(model, prompt, values.task);
    const maxNewTokens =
      values['max-new-tokens'] !== undefined ? Number(values['max-new-tokens']) : taskTokenBudget(source);
    const shared = maxNewTokens !== undefined ? { maxNewTokens } : {};
    const configs = (values.run ?? DEFAULT_COMPARISON).map((spec) => strategyFromSpec(spec, shared, model));
    console.log(`model: ${model.info.name}   prompt: ${JSON.stringify(source.prompt)}`);
    const intervention = interventionFromFlags(model, values);
    if (intervention) console.log(`intervention (every run): ${intervention.label}`);
    const runs: FinishedRun[] = [];
    for (const [i, config] of configs.entries()) {
      runs.push(
        await executeRun(model, source, config, {
          id: `${config.strategy}-${i + 1}`,
          progress: true,
          intervention: intervention?.inputs,
        }),
      );
    }
    console.log(comparisonTable(runs));
    if (out) {
      writeFileAtomic(
        out,
        JSON.stringify(buildExportFile(model.info, source.prompt, runs, exportTask(source)), null, 1),
      );
      console.log(`exported to ${values.out}`);
    }
  } finally {
    await model.release();
  }
}
