import { describe, expect, it } from 'vitest';
import { recordedStepFloor } from '../../bench/recorded-step-floor';
import { withoutEos } from '../../bench/engine';
import { encodePrompt, runSearch } from '../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../src/shared/strategies';
import { fixtureModel } from '../helpers/fixtures';

describe('the recorded-step floor of the benchmark', () => {
  // a lab-convention model (input embeddings) and a Hugging Face one (token ids)
  it.each(['lab-tiny', 'hf-gpt2-tiny'])(
    'decodes what the engine greedy decodes on %s, so both time the same passes',
    async (name) => {
      const model = withoutEos(await fixtureModel(name));
      const prompt = 'the quick brown fox';
      const config = resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 12, topkShown: 0 });
      const engine = await runSearch({ model, prompt, config });
      const floor = await recordedStepFloor(model, prompt, encodePrompt(model, prompt), 12);
      expect(floor.tokens).toHaveLength(12);
      expect(floor.tokens).toEqual(engine.result.nBest[0]!.tokenIds);
    },
  );
});
