import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import { modelFromArg } from '../model-arg';
import { UsageError } from '../strategy-args';
import { makeDirection } from '../../engine/intervention/make-direction';
import { writeDirectionFile } from '../../engine/intervention/direction-file';

/** One prompt per non-empty line (prompt lists never go on the command line). */
function promptList(file: string | undefined, inline: string[] | undefined, side: string): string[] {
  const fromFile =
    file === undefined
      ? []
      : fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l.length > 0);
  const prompts = [...fromFile, ...(inline ?? [])];
  if (prompts.length === 0)
    throw new UsageError(`give the ${side} prompts: --${side} FILE (one prompt a line) or --${side}-prompt TEXT`);
  return prompts;
}

export async function directionCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      threads: { type: 'string' },
      positive: { type: 'string' },
      negative: { type: 'string' },
      'positive-prompt': { type: 'string', multiple: true },
      'negative-prompt': { type: 'string', multiple: true },
      layers: { type: 'string' },
      note: { type: 'string' },
      out: { type: 'string' },
    },
  });
  if (!values.out) throw new UsageError('give --out FILE for the direction');
  const model = await modelFromArg(values.model, values.threads);
  try {
    const positive = promptList(values.positive, values['positive-prompt'], 'positive');
    const negative = promptList(values.negative, values['negative-prompt'], 'negative');
    const layers = (values.layers ?? String(model.info.numLayers)).split(',').map(Number);
    const direction = await makeDirection(model, { positive, negative, layers, note: values.note });
    writeDirectionFile(values.out, direction);
    const norms = Object.entries(direction.layers).map(([l, v]) => `L${l} |v| = ${Math.hypot(...v).toFixed(3)}`);
    console.log(
      `wrote ${values.out}: ${model.info.name}, ${positive.length} positive vs ${negative.length} negative prompts; ${norms.join(', ')}`,
    );
  } finally {
    await model.release();
  }
}
