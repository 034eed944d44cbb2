import { describe, expect, it } from 'vitest';
import { Evaluator, type Lineage, type NodeInput } from '../../../../src/main/engine/runtime/evaluator';
import type { DecoderPass } from '../../../../src/main/engine/runtime/forward-batcher';
import type { ForwardRequest, ForwardResult } from '../../../../src/main/engine/model/decoder-session';
import { emptyKvArray } from '../../../../src/main/engine/model/kv-tensors';
import { fixtureModel } from '../../../helpers/fixtures';

/** A chain: node 0 is the prompt, node i > 0 appends token 1 to node i - 1. */
const chain: Lineage = {
  parentOf: (id) => (id === 0 ? null : id - 1),
  inputOf: (id): NodeInput => ({ tokens: id === 0 ? [1, 2] : [1] }),
};

/** A decoder that works `busyMs` per pass and answers with zeros, after a turn of the event loop or at once. */
function fakeDecoder(
  shape: { numLayers: number; numKvHeads: number; headDim: number; type: 'float32' | 'float16' },
  vocab: number,
  busyMs: number,
  turnsLoop: boolean,
): DecoderPass {
  return {
    async forward({ batch, seq, past }: ForwardRequest): Promise<ForwardResult> {
      if (turnsLoop) await new Promise<void>((resolve) => setImmediate(resolve));
      const until = performance.now() + busyMs;
      while (performance.now() < until);
      const length = (past?.length ?? 0) + seq;
      const rows = () => emptyKvArray(shape, batch * shape.numKvHeads * length * shape.headDim);
      return {
        logits: new Float32Array(batch * seq * vocab),
        present: {
          keys: Array.from({ length: shape.numLayers }, rows),
          values: Array.from({ length: shape.numLayers }, rows),
          batch,
          length,
        },
      };
    },
  };
}

/** Evaluates the chain node by node and counts the event loop's turns meanwhile. */
async function turnsDuring(decoder: DecoderPass, nodes: number): Promise<number> {
  const model = await fixtureModel('lab-tiny');
  const evaluator = new Evaluator(model, chain, { decoder });
  let turns = 0;
  let counting = true;
  const count = () => {
    turns++;
    if (counting) setImmediate(count);
  };
  setImmediate(count);
  for (let id = 0; id < nodes; id++) await evaluator.evaluate([id]);
  counting = false;
  return turns;
}

describe('the evaluator and the event loop (Cancel is received when it turns)', () => {
  it('lets the loop turn every ~20 ms under a decoder that answers at once', async () => {
    const model = await fixtureModel('lab-tiny');
    // 30 passes of 4 ms: 120 ms of one chain of promises
    const turns = await turnsDuring(fakeDecoder(model.decoder.kvShape, model.info.vocabSize, 4, false), 30);
    expect(turns).toBeGreaterThanOrEqual(4);
  });

  it('adds no turn of its own under a decoder that turns the loop every pass, however long the pass', async () => {
    const model = await fixtureModel('lab-tiny');
    // passes longer than the 20 ms yield interval: a fixed-interval yield would double the turns
    const passes = 5;
    const turns = await turnsDuring(fakeDecoder(model.decoder.kvShape, model.info.vocabSize, 25, true), passes);
    expect(turns).toBeLessThanOrEqual(passes + 1);
    expect(turns).toBeGreaterThanOrEqual(passes);
  });
});
