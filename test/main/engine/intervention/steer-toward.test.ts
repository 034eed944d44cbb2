import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { resourcesFolder } from '../../../../src/main/engine/model/default-model';
import { loadTaskFiles } from '../../../../src/main/engine/task/task-files';
import { evaluateStrategy } from '../../../../src/main/engine/task/evaluate-split';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { steerTowardDistractor } from '../../../../src/main/engine/intervention/steer-toward';

const folder = path.join(resourcesFolder(), 'models/ontology-cot');
let model: LoadedModel;
beforeAll(async () => {
  model = await loadModel(folder);
});
afterAll(async () => model.release());

describe('steering toward the distractor', () => {
  it('counts flips against the unsteered answers, whatever the order of the scales', async () => {
    const files = loadTaskFiles(folder)!;
    const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 47, topkShown: 0 });
    const limit = 4;
    const out = await steerTowardDistractor(model, files, config, { scales: [1, -0.25], layers: [2], limit });
    expect(out.rows.map((r) => r.scale)).toEqual([-0.25, 0, 1]);
    const baseline = out.rows[1]!;
    expect(baseline.flipRate).toBe(0);
    // scale 0 is the plain run: the same accuracy as the ordinary evaluation of these examples
    const plain = await evaluateStrategy(model, files, config, { limit });
    expect(baseline.accuracy).toBe(plain.accuracy);
    out.answers.forEach((a, i) =>
      expect(a.byScale[1]).toBe(
        plain.outcomes[i]!.verdict.verdict === 'malformed' ? null : plain.outcomes[i]!.verdict.answer,
      ),
    );
    // a scale of 1 breaks most answers (see the README table); flips are counted per example against scale 0
    const flips = out.answers.filter((a) => a.byScale[2] !== a.byScale[1]).length / limit;
    expect(out.rows[2]!.flipRate).toBe(flips);
    expect(flips).toBeGreaterThan(0);
  });
});
