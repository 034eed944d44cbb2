import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadModel, type LoadedModel } from '../../../../src/main/engine/model/load-model';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { runSearches } from '../../../../src/main/engine/search/run-batch';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import type { ForwardRequest } from '../../../../src/main/engine/model/decoder-session';

const fixtures = path.resolve(__dirname, '../../../fixtures/models');

/** The model with its decoder wrapped to count passes and rows. */
function counted(model: LoadedModel) {
  const counts = { passes: 0, rows: 0 };
  const decoder = Object.create(model.decoder) as LoadedModel['decoder'];
  decoder.forward = (request: ForwardRequest) => {
    counts.passes++;
    counts.rows += request.batch;
    return model.decoder.forward(request);
  };
  return { model: { ...model, decoder }, counts };
}

describe('searches sharing forward passes', () => {
  for (const name of ['lab-tiny', 'hf-gpt2-tiny']) {
    it(`${name}: merged passes give every search exactly its own tree (greedy, beam, BFS)`, async () => {
      const loaded = await loadModel(path.join(fixtures, name));
      const { model, counts } = counted(loaded);
      // equal-length prompts merge; the odd one out runs in its own group
      const prompts =
        name === 'lab-tiny' ? ['a b c', 'b b d', 'c a e', 'd e f g'] : ['ab a', 'b ab', 'a a', 'ab ab ab'];
      const configs = [
        resolveStrategyConfig({ strategy: 'greedy', maxNewTokens: 5, topkShown: 2 }),
        resolveStrategyConfig({ strategy: 'beam', numBeams: 3, maxNewTokens: 4, topkShown: 0 }),
        resolveStrategyConfig({
          strategy: 'bfs',
          maxNewTokens: 3,
          topkShown: 0,
          topK: 3,
          topP: 1,
          width: 4,
          merge: { kind: 'none' },
        }),
      ];
      const requests = configs.flatMap((config) => prompts.map((prompt) => ({ model, prompt, config })));
      const batched = await runSearches(requests, { concurrency: requests.length });
      const batchedPasses = counts.passes;
      const alone: Awaited<ReturnType<typeof runSearch>>[] = [];
      for (const r of requests) alone.push(await runSearch(r));
      expect(batchedPasses).toBeLessThan(counts.passes - batchedPasses);
      batched.forEach((out, i) => {
        const a = alone[i]!;
        expect(out.result.nBest.map((n) => n.tokenIds)).toEqual(a.result.nBest.map((n) => n.tokenIds));
        expect(out.tree.order.length).toBe(a.tree.order.length);
        for (const id of a.tree.order) {
          expect(out.tree.nodes[id]!.tokenId).toBe(a.tree.nodes[id]!.tokenId);
          expect(out.tree.nodes[id]!.score).toBeCloseTo(a.tree.nodes[id]!.score, 5);
        }
        expect(out.stats.tokensEvaluated).toBe(a.stats.tokensEvaluated);
      });
      await loaded.release();
    });
  }
});
