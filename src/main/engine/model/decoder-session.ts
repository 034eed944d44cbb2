import * as ort from 'onnxruntime-node';
import type { GraphSignature } from './signature';
import { emptyKvArray, type KvArray, type KvShape, type KvTensors } from './kv-tensors';
import { PositionLimitError } from './model-error';
import { float16ToFloat32, float32ToFloat16 } from './float16';

/** A float output as float32, whatever its type at the graph boundary (float16 graphs hand out half-precision bits). */
function floatData(tensor: ort.Tensor): Float32Array;
function floatData(tensor: ort.Tensor | undefined): Float32Array | undefined;
function floatData(tensor: ort.Tensor | undefined): Float32Array | undefined {
  if (!tensor) return undefined;
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  if (tensor.type !== 'float32') throw new Error(`output of type ${tensor.type} where a float tensor was expected`);
  return tensor.data as Float32Array;
}

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

  /** A float32 input as the graph wants it: float16 inputs get half-precision bits. */
  private floatInput(name: string, data: Float32Array, dims: number[]): ort.Tensor {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    return meta?.isTensor && meta.type === 'float16'
      ? new ort.Tensor('float16', float32ToFloat16(data), dims)
      : new ort.Tensor('float32', data, dims);
  }

  async forward(req: ForwardRequest): Promise<ForwardResult> {
    const { batch, seq } = req;
    const { numLayers, numKvHeads, headDim, type } = this.kvShape;
    const pastLength = req.past?.length ?? 0;
    if (this.maxPositions !== null && pastLength + seq > this.maxPositions)
      throw new PositionLimitError(pastLength + seq, this.maxPositions);
    const feeds: Record<string, ort.Tensor> = {};
    if (this.signature.convention === 'lab') {
      if (!req.inputsEmbeds) throw new Error('this model takes inputs_embeds');
      feeds.inputs_embeds = this.floatInput('inputs_embeds', req.inputsEmbeds, [batch, seq, this.hiddenSize!]);
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
      feeds.residual_delta = this.floatInput('residual_delta', req.residualDelta ?? this.zeros(), [
        numLayers,
        this.hiddenSize!,
      ]);
    }
    if (this.signature.hasResidualAblate) {
      feeds.residual_ablate = this.floatInput('residual_ablate', req.residualAblate ?? this.zeros(), [
        numLayers,
        this.hiddenSize!,
      ]);
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
      // the cache stays in the graph's own type (Uint16Array bits for float16): it only ever goes back in
      for (const [list, name] of [
        [present.keys, `present.${i}.key`],
        [present.values, `present.${i}.value`],
      ] as const) {
        const tensor = out[name]!;
        if (tensor.type !== type) throw new Error(`${name} is ${tensor.type} but the past inputs are ${type}`);
        list.push(tensor.data as KvArray);
      }
    }
    return {
      logits: floatData(out.logits!),
      present,
      lastHidden: floatData(out.last_hidden_state),
      hiddenStates: floatData(out.hidden_states),
    };
  }

  private zeros(): Float32Array {
    this.zeroDelta ??= new Float32Array(this.kvShape.numLayers * this.hiddenSize!);
    return this.zeroDelta;
  }
}
