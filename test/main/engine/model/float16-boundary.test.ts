/**
 * float16 graph boundaries: fixtures made by scripts/model/make_fp16_boundary.py from the float32 fixtures (the
 * same weights, with KV inputs/outputs, logits, embeddings and hidden states cast to float16 at the boundary).
 * Decoding must match the float32 graph up to float16 rounding.
 */
import { describe, expect, it } from 'vitest';
import { runSearch } from '../../../../src/main/engine/search/run-search';
import { resolveStrategyConfig } from '../../../../src/shared/strategies';
import { fixtureModel } from '../../../helpers/fixtures';

const CONFIGS = [
  { strategy: 'greedy', maxNewTokens: 8 },
  { strategy: 'beam', numBeams: 3, maxNewTokens: 6 },
  { strategy: 'bfs', topK: 3, topP: 1, width: 6, maxNewTokens: 4, merge: { kind: 'none' } },
] as const;

/** float16 keeps 11 significant bits: logits of a few units are off by ~1e-3, summed over a handful of steps */
const TOLERANCE = 2e-2;

describe('float16 graph boundaries', () => {
  it.each([
    ['hf-gpt2-tiny', 'hf-gpt2-tiny-fp16'],
    ['lab-tiny', 'lab-tiny-fp16'],
  ])('%s: greedy, beam and BFS give the float32 results within float16 tolerance', async (f32Name, f16Name) => {
    const [f32, f16] = [await fixtureModel(f32Name), await fixtureModel(f16Name)];
    expect(f16.info.graphFile).toBe('onnx/model_fp16.onnx');
    expect(f16.info.kvDtype).toBe('float16');
    expect(f32.info.kvDtype).toBe('float32');
    for (const c of CONFIGS) {
      const config = resolveStrategyConfig(c);
      const [a, b] = [
        await runSearch({ model: f32, prompt: 'a b', config }),
        await runSearch({ model: f16, prompt: 'a b', config }),
      ];
      expect(b.result.bestText).toBe(a.result.bestText);
      expect(b.result.nBest.map((h) => h.tokenIds)).toEqual(a.result.nBest.map((h) => h.tokenIds));
      expect(Math.abs(b.result.bestScore! - a.result.bestScore!)).toBeLessThan(TOLERANCE);
      // the whole tree: the same token paths (near-ties may swap creation order), log-probabilities within tolerance
      const paths = (r: typeof a) => {
        const key = new Map<number, string>();
        for (const id of r.tree.order) {
          const n = r.tree.nodes[id]!;
          key.set(id, n.parents.length ? `${key.get(n.parents[0]!)} ${n.tokenId}` : 'root');
        }
        return new Map(r.tree.order.map((id) => [key.get(id)!, r.tree.nodes[id]!]));
      };
      const [pa, pb] = [paths(a), paths(b)];
      // only a pruned runner-up may differ, where two candidates tie within float16 rounding at the cut-off
      const onlyIn = (x: typeof pa, y: typeof pa) => [...x].filter(([k]) => !y.has(k)).map(([, n]) => n.status);
      expect([...onlyIn(pa, pb), ...onlyIn(pb, pa)].every((status) => status === 'pruned')).toBe(true);
      expect(onlyIn(pa, pb).length).toBeLessThanOrEqual(pa.size / 10);
      const worst = Math.max(
        ...[...pa].filter(([k]) => pb.has(k)).map(([k, n]) => Math.abs(n.logprob - pb.get(k)!.logprob)),
      );
      expect(worst).toBeLessThan(TOLERANCE);
      expect(worst).toBeGreaterThan(0); // the float16 graph really rounds: this is not the float32 graph twice
    }
  });

  it('hidden states and the logit lens read float16 outputs as numbers, not bit patterns', async () => {
    const [f32, f16] = [await fixtureModel('lab-tiny'), await fixtureModel('lab-tiny-fp16')];
    const row = f32.embeddings!.slice(0, f32.info.hiddenSize!);
    const req = { batch: 1, seq: 1, inputsEmbeds: row, past: null, wantHiddenStates: true };
    const [a, b] = [await f32.decoder.forward(req), await f16.decoder.forward(req)];
    expect(b.lastHidden).toBeInstanceOf(Float32Array);
    expect(b.hiddenStates!.length).toBe(a.hiddenStates!.length);
    for (const [x, y] of [
      [a.lastHidden!, b.lastHidden!],
      [a.hiddenStates!, b.hiddenStates!],
      [a.logits, b.logits],
    ] as const) {
      x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(1e-2 * Math.max(1, Math.abs(v))));
    }
  });
});
