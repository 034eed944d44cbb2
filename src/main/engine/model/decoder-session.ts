import * as ort from 'onnxruntime-node';
import type { GraphSignature } from './signature';
import { emptyKvArray, type KvShape, type KvTensors } from './kv-tensors';
import { PositionLimitError } from './model-error';

export interface ForwardRequest {
  batch: number;
  seq: number;
  /** [batch * seq] token ids (HF convention) */
  inputIds?: ArrayLike<number>;
  /** [batch * seq * hidden] embeddings (lab convention) */
  inputsEmbeds?: Float32Array;
  /** null: no past (length 0) */
  past: KvTensors | null;
  /** [layers * hidden]; zeros when absent */
  residualDelta?: Float32Array;
  /** [layers * hidden] unit rows (zero rows: off); zeros when absent */
  residualAblate?: Float32Array;
  wantHiddenStates?: boolean;
}

export interface ForwardResult {
  /** [batch, seq, vocab] */
  logits: Float32Array;
  present: KvTensors;
  /** [batch, seq, hidden] after the final norm */
  lastHidden?: Float32Array;
  /** [layers + 1, batch, seq, hidden] */
  hiddenStates?: Float32Array;
}

/** One ONNX decoder graph and nothing else: a forward pass, no caching policy. */
export class DecoderSession {
  constructor(
    readonly session: ort.InferenceSession,
    readonly signature: GraphSignature,
    readonly kvShape: KvShape,
    readonly hiddenSize: number | null,
  ) {}

  private zeroDelta: Float32Array | null = null;

  /** positions the model was trained with (config.json), when known; a step past them is refused */
  maxPositions: number | null = null;

  async forward(req: ForwardRequest): Promise<ForwardResult> {
    const { batch, seq } = req;
    const { numLayers, numKvHeads, headDim, type } = this.kvShape;
    const pastLength = req.past?.length ?? 0;
    if (this.maxPositions !== null && pastLength + seq > this.maxPositions) throw new PositionLimitError(pastLength + seq, this.maxPositions);
    const feeds: Record<string, ort.Tensor> = {};
    if (this.signature.convention === 'lab') {
      if (!req.inputsEmbeds) throw new Error('this model takes inputs_embeds');
      feeds.inputs_embeds = new ort.Tensor('float32', req.inputsEmbeds, [batch, seq, this.hiddenSize!]);
    } else {
      if (!req.inputIds) throw new Error('this model takes input_ids');
      feeds.input_ids = new ort.Tensor('int64', BigInt64Array.from(req.inputIds as number[], BigInt), [batch, seq]);
    }
    if (this.signature.hasAttentionMask) {
      feeds.attention_mask = new ort.Tensor('int64', new BigInt64Array(batch * (pastLength + seq)).fill(1n), [
        batch,
        pastLength + seq,
      ]);
    }
    if (this.signature.hasPositionIds) {
      const positions = new BigInt64Array(batch * seq);
      for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) positions[b * seq + s] = BigInt(pastLength + s);
      feeds.position_ids = new ort.Tensor('int64', positions, [batch, seq]);
    }
    if (this.signature.hasUseCacheBranch) {
      feeds.use_cache_branch = new ort.Tensor('bool', Uint8Array.of(pastLength > 0 ? 1 : 0), [1]);
    }
    if (this.signature.hasResidualDelta) {
      feeds.residual_delta = new ort.Tensor('float32', req.residualDelta ?? this.zeros(), [numLayers, this.hiddenSize!]);
    }
    if (this.signature.hasResidualAblate) {
      feeds.residual_ablate = new ort.Tensor('float32', req.residualAblate ?? this.zeros(), [numLayers, this.hiddenSize!]);
    } else if (req.residualAblate) {
      throw new Error('ablation is not supported by this graph (it has no residual_ablate input)');
    }
    const pastDims = [batch, numKvHeads, pastLength, headDim];
    for (let i = 0; i < numLayers; i++) {
      const key = req.past?.keys[i] ?? emptyKvArray(this.kvShape, 0);
      const value = req.past?.values[i] ?? emptyKvArray(this.kvShape, 0);
      feeds[`past_key_values.${i}.key`] = new ort.Tensor(type, key, pastDims);
      feeds[`past_key_values.${i}.value`] = new ort.Tensor(type, value, pastDims);
    }
    const fetches = ['logits'];
    for (let i = 0; i < numLayers; i++) fetches.push(`present.${i}.key`, `present.${i}.value`);
    if (this.signature.hasLastHiddenState) fetches.push('last_hidden_state');
    if (req.wantHiddenStates && this.signature.hasHiddenStates) fetches.push('hidden_states');
    const out = await this.session.run(feeds, fetches);
    const present: KvTensors = { keys: [], values: [], batch, length: pastLength + seq };
    for (let i = 0; i < numLayers; i++) {
      present.keys.push(out[`present.${i}.key`]!.data as Float32Array);
      present.values.push(out[`present.${i}.value`]!.data as Float32Array);
    }
    return {
      logits: out.logits!.data as Float32Array,
      present,
      lastHidden: out.last_hidden_state?.data as Float32Array | undefined,
      hiddenStates: out.hidden_states?.data as Float32Array | undefined,
    };
  }

  private zeros(): Float32Array {
    this.zeroDelta ??= new Float32Array(this.kvShape.numLayers * this.hiddenSize!);
    return this.zeroDelta;
  }
}
