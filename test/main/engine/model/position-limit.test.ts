import { describe, expect, it } from 'vitest';
import { fixtureModel } from '../../../helpers/fixtures';
import { PositionLimitError } from '../../../../src/main/engine/model/model-error';

function request(model: Awaited<ReturnType<typeof fixtureModel>>, seq: number) {
  const hidden = model.info.hiddenSize ?? 0;
  return model.info.convention === 'lab'
    ? { batch: 1, seq, inputsEmbeds: new Float32Array(seq * hidden), past: null }
    : { batch: 1, seq, inputIds: new Array(seq).fill(1), past: null };
}

describe('positions past the model context', () => {
  it.each(['lab-tiny', 'hf-gpt2-tiny'])(
    '%s: the last position runs, one more is refused with a clear message',
    async (name) => {
      const model = await fixtureModel(name);
      expect(model.decoder.maxPositions).toBe(64);
      const last = await model.decoder.forward(request(model, 64));
      expect(last.logits.length).toBe(64 * model.info.vocabSize);
      // a cached step at position 64 (the 65th) is refused before onnxruntime sees it
      await expect(model.decoder.forward({ ...request(model, 1), past: last.present })).rejects.toThrow(
        PositionLimitError,
      );
      await expect(model.decoder.forward(request(model, 65))).rejects.toThrow(
        /^the model has 64 positions \(its config\.json context\) but this step needs 65: shorten the prompt or lower maxNewTokens$/,
      );
    },
  );

  it("without the limit the graph fails with onnxruntime's own error (what the check replaces)", async () => {
    const model = await fixtureModel('hf-gpt2-tiny');
    model.decoder.maxPositions = null;
    try {
      await expect(model.decoder.forward(request(model, 65))).rejects.toThrow(/Gather|indices|out of bounds|idx/i);
    } finally {
      model.decoder.maxPositions = 64;
    }
  });
});
