import { buildExportFile } from '../../engine/export/build-export';
import { configFor, modelDefaults, parseFlags, settingsFromFlags, UsageError } from '../strategy-args';
import { modelFromArg } from '../model-arg';
import { executeRun, promptSource, promptText, type PromptSource } from '../execute';
import { writeFileAtomic } from '../../engine/io/atomic-write';
import { checkOutputFile } from '../output-file';
import { formatRun, formatThoughts } from '../run-report';
import { splitTokenBudget } from '../../engine/task/evaluate-split';
import { interventionFromFlags, STEER_OPTIONS } from '../steer-args';
import { formatCritical } from '../critical-report';

const OPTIONS = {
  model: { type: 'string' },
  prompt: { type: 'string' },
  'prompt-file': { type: 'string' },
  strategy: { type: 'string' },
  out: { type: 'string' },
  task: { type: 'string' },
  threads: { type: 'string' },
  ...STEER_OPTIONS,
} as const;

/** Enough tokens for any answer of the task (a model may take a longer valid path), when the prompt is a task example. */
export function taskTokenBudget(source: PromptSource): number | undefined {
  return source.task ? splitTokenBudget(source.task.files) : undefined;
}

export function exportTask(source: PromptSource) {
  const t = source.task;
  return t ? { split: 'test', index: t.index, options: t.record.options, answer: t.record.answer } : undefined;
}

export async function runCommand(argv: string[]): Promise<void> {
  const values = parseFlags(argv);
  const out = checkOutputFile(values.out, '--out');
  const prompt = promptText(values.prompt, values['prompt-file']);
  const model = await modelFromArg(values.model as string | undefined, values.threads);
  try {
    const source = promptSource(model, prompt, values.task as string | undefined);
    const settings = settingsFromFlags(values, new Set(Object.keys(OPTIONS)));
    settings.maxNewTokens ??= taskTokenBudget(source);
    if (settings.maxNewTokens === undefined) delete settings.maxNewTokens;
    const name = (values.strategy as string | undefined) ?? 'greedy';
    if (typeof name !== 'string') throw new UsageError('--strategy needs a name');
    const config = configFor(name, { ...modelDefaults(model, name), ...settings });
    console.log(
      `model: ${model.info.name} (${model.info.convention}, ${model.info.numLayers} layers, vocab ${model.info.vocabSize})`,
    );
    console.log(`prompt: ${JSON.stringify(source.prompt)}`);
    const intervention = interventionFromFlags(model, values);
    if (intervention) console.log(`intervention: ${intervention.label}`);
    const run = await executeRun(model, source, config, {
      id: `${config.strategy}-1`,
      progress: true,
      intervention: intervention?.inputs,
    });
    console.log(formatRun(config, run.stats, run.result));
    const critical = formatCritical(run.tree, run.result);
    if (critical) console.log(critical);
    const thoughts = formatThoughts(run.tree);
    if (thoughts) console.log(thoughts);
    if (out) {
      writeFileAtomic(
        out,
        JSON.stringify(buildExportFile(model.info, source.prompt, [run], exportTask(source)), null, 1),
      );
      console.log(`exported to ${out}`);
    }
  } finally {
    await model.release();
  }
}
