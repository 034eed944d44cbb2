import * as ort from 'onnxruntime-node';

/** The model's own final norm + unembedding as a graph: hidden [n, hidden] → logits [n, vocab]. */
export class LogitLensSession {
  constructor(
    private readonly session: ort.InferenceSession,
    readonly hiddenSize: number,
  ) {}

  async logits(hidden: Float32Array): Promise<Float32Array> {
    const n = hidden.length / this.hiddenSize;
    const out = await this.session.run({ hidden: new ort.Tensor('float32', hidden, [n, this.hiddenSize]) });
    return out.logits!.data as Float32Array;
  }
}
