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

function kvData(out: ort.InferenceSession.ReturnType, name: string, type: KvShape['type']): KvArray {
  const tensor = out[name]!;
  if (tensor.type !== type) throw new Error(`${name} is ${tensor.type} but the past inputs are ${type}`);
  return tensor.data as KvArray;
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
  /** names and per-pass constants worked out once: a pass of a small model takes well under a millisecond */
  private readonly pastNames: { key: string; value: string }[];
  private readonly presentNames: { key: string; value: string }[];
  private readonly float16Inputs: ReadonlySet<string>;
  private readonly fetchesPlain: string[];
  private readonly fetchesWithHidden: string[];
  /** all-ones attention mask, grown as needed; a pass reads a prefix of it */
  private ones = new BigInt64Array(0);
  /** zero intervention inputs, one tensor each for the session's lifetime (nothing writes them) */
  private zeroTensors = new Map<string, ort.Tensor>();
  /**
   * Each `present` this session handed out, with the tensors it came in: fed back unchanged as `past` (a greedy
   * step, a frontier kept whole), it goes in as those tensors, not new wrappers of the same data. Weak: a cache
   * the search has let go of is not kept alive here.
   */
  private readonly presentTensors = new WeakMap<KvTensors, ort.Tensor[]>();

  constructor(
    readonly session: ort.InferenceSession,
    readonly signature: GraphSignature,
    readonly kvShape: KvShape,
    readonly hiddenSize: number | null,
  ) {
    const layers = Array.from({ length: kvShape.numLayers }, (_, i) => i);
    this.pastNames = layers.map((i) => ({ key: `past_key_values.${i}.key`, value: `past_key_values.${i}.value` }));
    this.presentNames = layers.map((i) => ({ key: `present.${i}.key`, value: `present.${i}.value` }));
    this.float16Inputs = new Set(
      session.inputMetadata.filter((m) => m.isTensor && m.type === 'float16').map((m) => m.name),
    );
    this.fetchesPlain = ['logits', ...this.presentNames.flatMap((n) => [n.key, n.value])];
    if (signature.hasLastHiddenState) this.fetchesPlain.push('last_hidden_state');
    this.fetchesWithHidden = signature.hasHiddenStates ? [...this.fetchesPlain, 'hidden_states'] : this.fetchesPlain;
  }

  /** positions the model was trained with (config.json), when known; a step past them is refused */
  maxPositions: number | null = null;

  /** A float32 input as the graph wants it: float16 inputs get half-precision bits. */
  private floatInput(name: string, data: Float32Array, dims: number[]): ort.Tensor {
    return this.float16Inputs.has(name)
      ? new ort.Tensor('float16', float32ToFloat16(data), dims)
      : new ort.Tensor('float32', data, dims);
  }

  /** An intervention input: the request's rows, or zeros (no intervention) when it has none. */
  private residualInput(name: string, rows: Float32Array | undefined): ort.Tensor {
    const dims = [this.kvShape.numLayers, this.hiddenSize!];
    if (rows) return this.floatInput(name, rows, dims);
    let zeros = this.zeroTensors.get(name);
    if (!zeros) {
      zeros = this.floatInput(name, new Float32Array(this.kvShape.numLayers * this.hiddenSize!), dims);
      this.zeroTensors.set(name, zeros);
    }
    return zeros;
  }

  private attentionMask(elements: number): BigInt64Array {
    if (this.ones.length < elements) this.ones = new BigInt64Array(Math.ceil(elements * 1.5)).fill(1n);
    return this.ones.subarray(0, elements);
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
      feeds.attention_mask = new ort.Tensor('int64', this.attentionMask(batch * (pastLength + seq)), [
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
    if (this.signature.hasResidualDelta) feeds.residual_delta = this.residualInput('residual_delta', req.residualDelta);
    if (this.signature.hasResidualAblate) {
      feeds.residual_ablate = this.residualInput('residual_ablate', req.residualAblate);
    } else if (req.residualAblate) {
      throw new Error('ablation is not supported by this graph (it has no residual_ablate input)');
    }
    const pastDims = [batch, numKvHeads, pastLength, headDim];
    const noPast = req.past ? null : emptyKvArray(this.kvShape, 0);
    const fedBack = req.past ? this.presentTensors.get(req.past) : undefined;
    for (let i = 0; i < numLayers; i++) {
      const names = this.pastNames[i]!;
      feeds[names.key] = fedBack?.[2 * i] ?? new ort.Tensor(type, req.past?.keys[i] ?? noPast!, pastDims);
      feeds[names.value] = fedBack?.[2 * i + 1] ?? new ort.Tensor(type, req.past?.values[i] ?? noPast!, pastDims);
    }
    const out = await this.session.run(feeds, req.wantHiddenStates ? this.fetchesWithHidden : this.fetchesPlain);
    const present: KvTensors = { keys: [], values: [], batch, length: pastLength + seq };
    // the cache stays in the graph's own type (Uint16Array bits for float16): it only ever goes back in
    const tensors: ort.Tensor[] = [];
    for (const names of this.presentNames) {
      present.keys.push(kvData(out, names.key, type));
      present.values.push(kvData(out, names.value, type));
      tensors.push(out[names.key]!, out[names.value]!);
    }
    this.presentTensors.set(present, tensors);
    return {
      logits: floatData(out.logits!),
      present,
      lastHidden: floatData(out.last_hidden_state),
      hiddenStates: floatData(out.hidden_states),
    };
  }
}
