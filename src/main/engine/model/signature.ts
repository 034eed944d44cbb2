import type { InferenceSession } from 'onnxruntime-node';
import type { Capabilities } from '../../../shared/model';
import { ModelLoadError } from './model-error';

/** What a decoder graph takes and gives, read from its input/output names and metadata. */
export interface GraphSignature {
  convention: 'hf' | 'lab';
  numLayers: number;
  /** from the graph when static, otherwise null (the config fills in) */
  numKvHeads: number | null;
  headDim: number | null;
  hiddenSize: number | null;
  vocabSize: number | null;
  kvType: 'float32' | 'float16';
  hasAttentionMask: boolean;
  hasPositionIds: boolean;
  hasUseCacheBranch: boolean;
  hasResidualDelta: boolean;
  hasResidualAblate: boolean;
  hasLastHiddenState: boolean;
  hasHiddenStates: boolean;
  inputs: string[];
  outputs: string[];
}

type Meta = readonly InferenceSession.ValueMetadata[];

function staticDim(meta: Meta, name: string, axis: number): number | null {
  const entry = meta.find((m) => m.name === name);
  if (!entry || !entry.isTensor) return null;
  const dim = entry.shape[axis < 0 ? entry.shape.length + axis : axis];
  return typeof dim === 'number' && dim > 0 ? dim : null;
}

function tensorType(meta: Meta, name: string): string | null {
  const entry = meta.find((m) => m.name === name);
  return entry && entry.isTensor ? entry.type : null;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;

export function readSignature(session: InferenceSession, file: string): GraphSignature {
  const inputs = [...session.inputNames];
  const outputs = [...session.outputNames];
  const describe = `inputs [${inputs.join(', ')}], outputs [${outputs.join(', ')}]`;
  const hasIds = inputs.includes('input_ids');
  const hasEmbeds = inputs.includes('inputs_embeds');
  const layers = new Set<number>();
  for (const name of inputs) {
    const m = PAST.exec(name);
    if (m) layers.add(Number(m[1]));
  }
  if ((!hasIds && !hasEmbeds) || !outputs.includes('logits') || layers.size === 0) {
    throw new ModelLoadError(
      'the graph has neither supported signature (input_ids or inputs_embeds, attention_mask, ' +
        `past_key_values.N.key|value → logits, present.N.key|value); it has ${describe}`,
      file,
    );
  }
  const numLayers = layers.size;
  for (let i = 0; i < numLayers; i++) {
    for (const kind of ['key', 'value']) {
      if (!inputs.includes(`past_key_values.${i}.${kind}`)) {
        throw new ModelLoadError(
          `missing input past_key_values.${i}.${kind} (layers must be numbered 0..${numLayers - 1})`,
          file,
        );
      }
      if (!outputs.includes(`present.${i}.${kind}`)) {
        throw new ModelLoadError(`missing output present.${i}.${kind} for input past_key_values.${i}.${kind}`, file);
      }
    }
  }
  const meta = session.inputMetadata;
  const kvType = tensorType(meta, 'past_key_values.0.key');
  if (kvType !== 'float32' && kvType !== 'float16') {
    throw new ModelLoadError(`unsupported KV cache type ${kvType} (expected float32 or float16)`, file);
  }
  const hasLastHiddenState = outputs.includes('last_hidden_state');
  const hasHiddenStates = outputs.includes('hidden_states');
  return {
    convention: hasEmbeds ? 'lab' : 'hf',
    numLayers,
    numKvHeads: staticDim(meta, 'past_key_values.0.key', 1),
    headDim: staticDim(meta, 'past_key_values.0.key', 3),
    hiddenSize: hasEmbeds ? staticDim(meta, 'inputs_embeds', -1) : null,
    vocabSize: staticDim(session.outputMetadata, 'logits', -1),
    kvType,
    hasAttentionMask: inputs.includes('attention_mask'),
    hasPositionIds: inputs.includes('position_ids'),
    hasUseCacheBranch: inputs.includes('use_cache_branch'),
    hasResidualDelta: inputs.includes('residual_delta'),
    hasResidualAblate: inputs.includes('residual_ablate'),
    hasLastHiddenState,
    hasHiddenStates,
    inputs,
    outputs,
  };
}

export function capabilitiesOf(sig: GraphSignature, hasEmbeddings: boolean, hasLens: boolean): Capabilities {
  return {
    inputsEmbeds: sig.convention === 'lab',
    lastHiddenState: sig.hasLastHiddenState,
    hiddenStates: sig.hasHiddenStates,
    embeddings: hasEmbeddings,
    logitLens: hasLens && sig.hasHiddenStates,
    residualDelta: sig.hasResidualDelta,
    ablation: sig.hasResidualAblate,
  };
}

/** Names what a model lacks for a strategy, or null when it has everything. */
export function missingCapabilities(caps: Capabilities, needed: (keyof Capabilities)[]): string | null {
  const missing = needed.filter((c) => !caps[c]);
  if (missing.length === 0) return null;
  const explain: Record<keyof Capabilities, string> = {
    inputsEmbeds: 'an inputs_embeds input',
    lastHiddenState: 'a last_hidden_state output',
    hiddenStates: 'a hidden_states output',
    embeddings: 'a readable embedding matrix (config lattice_lab.embeddings)',
    logitLens: 'a logit-lens graph (config lattice_lab.lens)',
    residualDelta: 'a residual_delta input',
    ablation: 'a residual_ablate input',
  };
  return missing.map((m) => explain[m]).join(', ');
}
