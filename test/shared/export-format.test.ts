import { beforeAll, describe, expect, it } from 'vitest';
import { runSearch } from '../../src/main/engine/search/run-search';
import {
  buildExportFile,
  exportRun,
  treeFromExport,
  type FinishedRun,
} from '../../src/main/engine/export/build-export';
import { resolveStrategyConfig } from '../../src/shared/strategies';
import { ExportFormatError, exportJsonSchema, parseExportFile } from '../../src/shared/export-validate';
import type { ExportFile } from '../../src/shared/export-format';
import { fixtureModel } from '../helpers/fixtures';

let file: ExportFile;
let runs: FinishedRun[];

beforeAll(async () => {
  const model = await fixtureModel('hf-gpt2-tiny');
  const configs = [
    { strategy: 'greedy', maxNewTokens: 4 },
    { strategy: 'beam', numBeams: 3, maxNewTokens: 4 },
    { strategy: 'sampling', n: 10, maxNewTokens: 4 },
  ];
  runs = [];
  for (const [i, c] of configs.entries()) {
    const config = resolveStrategyConfig(c);
    const out = await runSearch({ model, prompt: 'a b', config });
    runs.push({ id: `run-${i}`, config, ...out });
  }
  file = buildExportFile(model.info, 'a b', runs);
});

function expectRejected(mutate: (f: any) => void, path: string | RegExp): void {
  const copy = JSON.parse(JSON.stringify(file));
  mutate(copy);
  try {
    parseExportFile(copy);
  } catch (err) {
    expect(err).toBeInstanceOf(ExportFormatError);
    if (typeof path === 'string') expect((err as ExportFormatError).path).toBe(path);
    else expect((err as ExportFormatError).path).toMatch(path);
    expect((err as Error).message.startsWith((err as ExportFormatError).path)).toBe(true);
    return;
  }
  throw new Error('accepted a malformed file');
}

describe('export format', () => {
  it('export → import → export is identical', () => {
    const text = JSON.stringify(file);
    const imported = parseExportFile(JSON.parse(text));
    expect(JSON.stringify(imported)).toBe(text);
    const again = imported.runs.map((run, i) => exportRun({ ...runs[i]!, tree: treeFromExport(run) }));
    expect(JSON.parse(JSON.stringify(again))).toEqual(file.runs);
  });

  it('keeps non-UTF-8 token bytes losslessly', () => {
    const withBytes = file.runs.flatMap((r) => r.nodes).filter((n) => n.bytes);
    for (const node of withBytes) expect(['c3', 'a9']).toContain(node.bytes);
  });

  it('names the offending path of a malformed file', () => {
    expectRejected((f) => (f.runs[0].nodes[2].logprob = 'x'), '$.runs[0].nodes[2].logprob');
    expectRejected((f) => (f.runs[1].nodes[1].status = 'exploded'), '$.runs[1].nodes[1].status');
    expectRejected((f) => delete f.runs[0].stats.forwardPasses, '$.runs[0].stats.forwardPasses');
    expectRejected((f) => (f.runs[2].config.temperature = -1), '$.runs[2].config.temperature');
    expectRejected((f) => (f.runs[0].nodes[1].parents = [999]), '$.runs[0].nodes[1].parents[0]');
    expectRejected((f) => (f.runs[0].nodes[1].id = 0), '$.runs[0].nodes[1].id');
    expectRejected((f) => (f.runs[0].nodes[0].surprise = true), /^\$\.runs\[0\]\.nodes\[0\]/);
    expectRejected((f) => (f.format = 'something-else'), '$.format');
  });

  it('refuses unknown future versions and non-objects', () => {
    expectRejected((f) => (f.version = 2), '$.version');
    expect(() => parseExportFile([])).toThrow(/expected a JSON object/);
    expect(() => parseExportFile(null)).toThrow(ExportFormatError);
  });

  it('publishes a JSON Schema of the current version', () => {
    const schema = exportJsonSchema() as { properties: Record<string, unknown>; required: string[] };
    expect(schema.required).toEqual(expect.arrayContaining(['format', 'version', 'runs']));
    expect(Object.keys(schema.properties)).toContain('model');
  });
});
