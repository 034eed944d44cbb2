import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadModel } from '../../../../src/main/engine/model/load-model';
import { bundledModelFolders } from '../../../../src/main/engine/model/default-model';
import { loadTaskFiles } from '../../../../src/main/engine/task/task-files';
import { evaluateStrategy } from '../../../../src/main/engine/task/evaluate-split';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';

const folder = bundledModelFolders().find((f) => path.basename(f) === 'ontology-cot');

describe('batched evaluation', () => {
  it('gives every example the same text, verdict and score as one by one (greedy and beam)', async () => {
    expect(folder, 'the bundled model resources/models/ontology-cot is missing').toBeDefined();
    const model = await loadModel(folder!);
    const files = loadTaskFiles(folder!)!;
    const limit = 8;
    for (const config of [
      resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 40, topkShown: 0 }),
      resolveStrategyConfig({ strategy: 'beam', numBeams: 2, maxNewTokens: 40, topkShown: 0 }),
    ]) {
      const alone = await evaluateStrategy(model, files, config, { limit, concurrency: 1 });
      const batched = await evaluateStrategy(model, files, config, { limit, concurrency: limit });
      expect(batched.examples).toBe(limit);
      expect(batched.outcomes.map((o) => o.index)).toEqual(alone.outcomes.map((o) => o.index));
      batched.outcomes.forEach((o, i) => {
        const a = alone.outcomes[i]!;
        expect(o.text).toBe(a.text);
        expect(o.verdict).toEqual(a.verdict);
        expect(o.tokensEvaluated).toBe(a.tokensEvaluated);
      });
      expect(batched.accuracy).toBe(alone.accuracy);
    }
    await model.release();
  });
});
