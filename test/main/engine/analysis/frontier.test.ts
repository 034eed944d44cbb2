import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import {
  loadTaskFiles,
  edgeKey,
  type Ontology,
  type TaskFiles,
  type TaskRecord,
} from '../../../../src/main/engine/task/task-files';
import {
  aggregateFrontier,
  conceptHeights,
  frontierStep,
  pearson,
  probeSubjects,
} from '../../../../src/main/engine/analysis/frontier';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { taskContextOf } from '../../../../src/main/engine/task/task-context-of';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { LatentAnalysisSchema } from '../../../../src/shared/analysis';

/**
 * The latent-search analysis against a torch reference (scripts/model/frontier_reference.py, written into each
 * bundled model folder): the probability of every frontier concept where the subject of fact k+1 is written, at the
 * model's output and through the logit lens of every residual stream, on 3 test questions (2, 4 and 6 hops), 1e-4.
 */
const MODELS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../resources/models');

interface Reference {
  mode: 'latent' | 'language';
  questions: {
    index: number;
    hops: number;
    steps: { k: number; frontier: string[]; values: number[]; layer_values: number[][] }[];
  }[];
}

for (const name of ['ontology-coconut', 'ontology-cot']) {
  describe(`frontier values of ${name} equal the torch reference`, () => {
    let model: LoadedModel;
    let files: TaskFiles;
    let reference: Reference;
    beforeAll(async () => {
      model = await loadModel(path.join(MODELS, name));
      files = loadTaskFiles(path.join(MODELS, name))!;
      reference = JSON.parse(fs.readFileSync(path.join(MODELS, name, 'frontier_reference.json'), 'utf8')) as Reference;
    });
    afterAll(async () => model?.release());

    it('on 3 test questions, every k, the output and every lens layer (1e-4)', async () => {
      expect(reference.questions.map((q) => q.hops)).toEqual([2, 4, 6]);
      let compared = 0;
      for (const q of reference.questions) {
        const record = files.test[q.index]!;
        const readouts = await probeSubjects(model, record, { layers: true });
        expect(readouts.map((r) => r.k)).toEqual(q.steps.map((s) => s.k));
        for (const [i, step] of q.steps.entries()) {
          const readout = readouts[i]!;
          const ids = step.frontier.map((c) => model.tokenizer.tokenId(c)!);
          expect(step.frontier).toEqual(record.steps[step.k]!.frontier);
          ids.forEach((id, j) => expect(Math.abs(Math.exp(readout.output[id]!) - step.values[j]!)).toBeLessThan(1e-4));
          const layers = readout.layers.logit!;
          expect(layers).toHaveLength(step.layer_values.length);
          step.layer_values.forEach((values, layer) =>
            ids.forEach((id, j) => expect(Math.abs(Math.exp(layers[layer]![id]!) - values[j]!)).toBeLessThan(1e-4)),
          );
          compared += ids.length;
        }
      }
      expect(compared).toBeGreaterThan(50);
    });

    if (name === 'ontology-coconut') {
      it('a latent run on a task example carries the same values for its thought counts', async () => {
        const q = reference.questions[1]!;
        const record = files.test[q.index]!;
        const out = await runSearch({
          model,
          prompt: record.prompt,
          task: taskContextOf(q.index, record, files.ontology),
          config: resolveStrategyConfig({ strategy: 'latent', mode: 'hidden', thoughts: 6, maxNewTokens: 40 }),
        });
        const values = LatentAnalysisSchema.parse(out.result.analysis).frontierValues!;
        expect(values.map((v) => v.k)).toEqual(q.steps.map((s) => s.k));
        for (const [i, step] of q.steps.entries()) {
          values[i]!.frontier.forEach((f, j) => {
            expect(f.concept).toBe(step.frontier[j]);
            expect(Math.abs(f.value - step.values[j]!)).toBeLessThan(1e-4);
          });
        }
        // eval leaves the probe out (its passes would count as the run's time)
        const plain = await runSearch({
          model,
          prompt: record.prompt,
          task: taskContextOf(q.index, record, files.ontology, { frontierValues: false }),
          config: resolveStrategyConfig({ strategy: 'latent', mode: 'hidden', thoughts: 6, maxNewTokens: 40 }),
        });
        expect(LatentAnalysisSchema.parse(plain.result.analysis).frontierValues).toBeUndefined();
        expect(plain.result.bestText).toBe(out.result.bestText);
      });
    }
  });
}

describe('frontier step scores', () => {
  // a ← b, c;  b ← d;  c ← d, e  (edges parent>child; leaves d, e)
  const ontology: Ontology = {
    layers: [['a'], ['b', 'c'], ['d', 'e']],
    concepts: new Set(['a', 'b', 'c', 'd', 'e']),
    edges: new Set([edgeKey('a', 'b'), edgeKey('a', 'c'), edgeKey('b', 'd'), edgeKey('c', 'd'), edgeKey('c', 'e')]),
  };
  const record = {
    hops: 2,
    steps: [
      { t: 0, depth: 0, concept: 'a', frontier: ['a'], on_path: ['a'], valid_next: ['c'] },
      { t: 1, depth: 1, concept: 'c', frontier: ['b', 'c'], on_path: ['c'], valid_next: ['e'] },
    ],
  } as unknown as TaskRecord;
  const tokens = new Map([...'abcde'].map((c, i) => [c, i + 1]));

  it('heights are the longest path down to a leaf', () => {
    expect(Object.fromEntries(conceptHeights(ontology))).toEqual({ a: 2, b: 1, c: 1, d: 0, e: 0 });
  });

  it('masses, recall, cumulative values and heights match a hand computation', () => {
    // vocabulary: 0 = "every"-like word, 1..5 = a..e
    const p = [0.1, 0.05, 0.2, 0.3, 0.25, 0.1];
    const step = frontierStep(1, p.map(Math.log), record, tokens, conceptHeights(ontology));
    expect(step.frontierMass).toBeCloseTo(0.5, 12);
    expect(step.onPathMass).toBeCloseTo(0.3, 12);
    expect(step.offPathMass).toBeCloseTo(0.2, 12);
    expect(step.conceptMass).toBeCloseTo(0.9, 12);
    // top-2 concepts: c (0.3), d (0.25): one of the 2 frontier nodes
    expect(step.recall).toBe(0.5);
    expect(step.topCumulative.map((x) => Number(x.toFixed(12)))).toEqual([0.3, 0.5, 0.5]);
    expect(step.frontier).toEqual([
      { concept: 'b', value: expect.closeTo(0.2, 12), onPath: false, height: 1 },
      { concept: 'c', value: expect.closeTo(0.3, 12), onPath: true, height: 1 },
    ]);
    const other = frontierStep(
      1,
      [0.1, 0.05, 0.5, 0.1, 0.15, 0.1].map(Math.log),
      record,
      tokens,
      conceptHeights(ontology),
    );
    const { rows } = aggregateFrontier([step, other], {});
    expect(rows).toHaveLength(1);
    expect(rows[0]!.questions).toBe(2);
    expect(rows[0]!.frontierMass).toBeCloseTo((0.5 + 0.6) / 2, 12);
    // other: top-2 concepts b (0.5), d (0.15): again one of the two
    expect(rows[0]!.recall).toBeCloseTo(0.5, 12);
    expect(rows[0]!.heightCorrelation).toBeNull();
    expect(
      pearson([
        [1, 2],
        [2, 4],
        [3, 7],
      ]),
    ).toBeCloseTo(0.9933992677987828, 12);
    expect(rows[0]!.byHeight).toEqual([
      { height: 1, nodes: 4, value: expect.closeTo((0.2 + 0.3 + 0.5 + 0.1) / 4, 12) },
    ]);
  });
});
