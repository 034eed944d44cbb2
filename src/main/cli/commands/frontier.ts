import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../../engine/io/atomic-write';
import { checkOutputFile } from '../output-file';
import * as path from 'node:path';
import { modelFromArg } from '../model-arg';
import { taskFilesOf } from '../execute';
import { UsageError } from '../strategy-args';
import { ProgressBar } from '../progress';
import { formatTable } from '../table';
import { frontierReport } from '../../engine/analysis/frontier';
import { TUNED_LENS_FILE, tunedLensStatus, type LensKind } from '../../engine/lens/tuned-lens';
import type { FrontierReport } from '../../../shared/analysis';

const f3 = (x: number) => x.toFixed(3);

const HEIGHT_BINS: [number, number][] = [
  [0, 5],
  [6, 11],
  [12, 17],
  [18, Infinity],
];

/** Mean value of the frontier nodes whose height lies in [lo, hi] ('-' when there are none). */
function binnedValue(row: FrontierReport['rows'][number], lo: number, hi: number): string {
  const inBin = row.byHeight.filter((h) => h.height >= lo && h.height <= hi);
  const nodes = inBin.reduce((s, h) => s + h.nodes, 0);
  return nodes === 0 ? '-' : f3(inBin.reduce((s, h) => s + h.value * h.nodes, 0) / nodes);
}

/** The per-k table: frontier values at the model's own output. */
export function frontierTable(report: FrontierReport): string {
  return formatTable(
    [
      'k',
      'questions',
      '|frontier|',
      'frontier mass',
      'on path',
      'off path',
      'any concept',
      'recall@|F|',
      'top-1',
      'top-2',
      'top-3',
      'r(value, height)',
      'value by height (h ≤ 5 / 6–11 / 12–17 / ≥ 18)',
    ],
    report.rows.map((r) => [
      r.k,
      r.questions,
      r.frontierSize.toFixed(1),
      f3(r.frontierMass),
      f3(r.onPathMass),
      f3(r.offPathMass),
      f3(r.conceptMass),
      f3(r.recall),
      ...r.topCumulative.map(f3),
      r.heightCorrelation === null ? '-' : r.heightCorrelation.toFixed(2),
      HEIGHT_BINS.map(([lo, hi]) => binnedValue(r, lo, hi)).join(' / '),
    ]),
  );
}

/** Per lens: frontier mass, recall and KL to the output for every stream, one column group per k. */
export function frontierLayerTable(report: FrontierReport, lens: LensKind): string | null {
  const rows = report.layers[lens];
  if (!rows || rows.length === 0) return null;
  const ks = [...new Set(rows.map((r) => r.k))];
  const layers = [...new Set(rows.map((r) => r.layer))];
  const last = Math.max(...layers);
  return formatTable(
    ['layer', ...ks.map((k) => `k=${k} mass / recall / KL`)],
    layers.map((layer) => [
      layer === 0 ? '0 (embedding)' : layer === last ? `${layer} (final)` : String(layer),
      ...ks.map((k) => {
        const r = rows.find((x) => x.k === k && x.layer === layer)!;
        return `${f3(r.frontierMass)} / ${f3(r.recall)} / ${f3(r.klToFinal)}`;
      }),
    ]),
  );
}

/** `lab frontier`: Coconut's latent-search analysis over the test split (see engine/analysis/frontier.ts). */
export async function frontierCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'string' },
      threads: { type: 'string' },
      'no-layers': { type: 'boolean', default: false },
    },
  });
  const limit = values.limit !== undefined ? Number(values.limit) : undefined;
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new UsageError('--limit must be a positive integer');
  checkOutputFile(values.json, '--json');
  const model = await modelFromArg(values.model, values.threads);
  try {
    const files = taskFilesOf(model);
    const { lens: tuned, status } = tunedLensStatus(model.info.folder);
    const bar = new ProgressBar('frontier');
    const report = await frontierReport(model, files, {
      limit,
      layers: !values['no-layers'],
      tuned,
      onQuestion: (done, total) => bar.update(done / total, `${done}/${total}`),
    });
    bar.done();
    const how =
      report.mode === 'latent'
        ? 'k continuous thoughts, then <eot> "every"'
        : 'the first k facts written, then "every"';
    console.log(
      `model: ${report.model}   questions: ${report.questions}   readout: the subject of fact k+1 after ${how}`,
    );
    console.log(frontierTable(report));
    for (const lens of ['logit', 'tuned'] as const) {
      const table = frontierLayerTable(report, lens);
      if (!table) continue;
      console.log(`\n${lens} lens per residual stream (frontier mass / recall@|F| / KL(output ‖ lens) nats):`);
      console.log(table);
    }
    if (status === 'absent')
      console.log(
        `\n(no ${path.join(model.info.folder, TUNED_LENS_FILE)}: tuned lens not shown; scripts/model/tuned_lens.py trains one)`,
      );
    if (status === 'stale')
      console.log(
        `\n(${path.join(model.info.folder, TUNED_LENS_FILE)} was trained for other weights: retrain it with scripts/model/tuned_lens.py)`,
      );
    if (values.json) {
      writeFileAtomic(values.json, JSON.stringify(report, null, 1));
      console.log(`wrote ${values.json}`);
    }
  } finally {
    await model.release();
  }
}
