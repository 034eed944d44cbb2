import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadModel } from '../../../../src/main/engine/model/load-model';
import { bundledModelFolders } from '../../../../src/main/engine/model/default-model';
import { loadTaskFiles } from '../../../../src/main/engine/task/task-files';
import { evaluateStrategy } from '../../../../src/main/engine/task/evaluate-split';
import { checkAnswer } from '../../../../src/main/engine/task/checker';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';

const folder = bundledModelFolders().find((f) => path.basename(f) === 'ontology-cot');

describe('eval on the bundled task', () => {
  it('scores a handful of test examples exactly as the checker run by hand, and as the training code decoded them', async () => {
    expect(folder, 'the bundled model resources/models/ontology-cot is missing').toBeDefined();
    const model = await loadModel(folder!);
    const files = loadTaskFiles(folder!)!;
    const limit = 6;
    const score = await evaluateStrategy(
      model,
      files,
      resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 60, topkShown: 0 }),
      { limit },
    );
    expect(score.examples).toBe(limit);
    // the Python side's greedy decoding of the same examples (written at export time)
    const python = JSON.parse(fs.readFileSync(path.join(folder!, 'task/eval_greedy.json'), 'utf8')).details as {
      output: string;
      status: string;
      chain_valid: boolean;
      finished: boolean;
    }[];
    let correct = 0;
    score.outcomes.forEach((outcome, i) => {
      const record = files.test[i]!;
      const byHand = checkAnswer(files.ontology, record, outcome.text, python[i]!.finished);
      expect(outcome.verdict.verdict).toBe(byHand.verdict);
      expect(outcome.verdict.chainValid).toBe(byHand.chainValid);
      expect(outcome.text).toBe(python[i]!.output);
      expect(outcome.verdict.verdict).toBe(python[i]!.status);
      expect(outcome.verdict.chainValid).toBe(python[i]!.chain_valid);
      if (byHand.verdict === 'correct') correct++;
    });
    expect(score.accuracy).toBeCloseTo(correct / limit, 12);
    expect(score.forwardPasses).toBe(score.outcomes.reduce((s, o) => s + o.forwardPasses, 0));
    await model.release();
  });
});
