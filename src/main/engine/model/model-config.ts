import { ModelLoadError } from './model-error';

/** The keys the lab needs, whatever the family calls them (GPT-2: n_layer…, Llama and most others: num_hidden_layers…). */
export interface ModelConfig {
  family: string;
  numLayers?: number;
  numHeads?: number;
  numKvHeads?: number;
  hiddenSize?: number;
  headDim?: number;
  vocabSize?: number;
  bosTokenId: number | null;
  eosTokenIds: number[];
  /** lab-convention extras: where the embedding matrix and the logit-lens graph live; continuous-thought markers */
  lab?: {
    embeddings?: string;
    lens?: string;
    /** a model trained for continuous thoughts (Coconut) brackets them with marker tokens */
    thoughts?: { begin_token?: string; end_token?: string; count?: number; mode?: string };
  };
  raw: Record<string, unknown>;
}

function firstNumber(raw: Record<string, unknown>, keys: string[]): number | undefined {
  for (const key of keys) {
    const value = raw[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

function tokenIds(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.filter((v): v is number => typeof v === 'number');
  return [];
}

export function parseModelConfig(raw: unknown, file: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelLoadError('expected a JSON object', file);
  }
  const cfg = raw as Record<string, unknown>;
  const numHeads = firstNumber(cfg, ['num_attention_heads', 'n_head', 'num_heads']);
  const hiddenSize = firstNumber(cfg, ['hidden_size', 'n_embd', 'd_model']);
  const lab = cfg.lattice_lab as ModelConfig['lab'] | undefined;
  return {
    family: typeof cfg.model_type === 'string' ? cfg.model_type : 'unknown',
    numLayers: firstNumber(cfg, ['num_hidden_layers', 'n_layer', 'num_layers']),
    numHeads,
    numKvHeads: firstNumber(cfg, ['num_key_value_heads', 'n_head_kv', 'num_kv_heads']) ?? numHeads,
    hiddenSize,
    headDim:
      firstNumber(cfg, ['head_dim']) ??
      (hiddenSize !== undefined && numHeads ? hiddenSize / numHeads : undefined),
    vocabSize: firstNumber(cfg, ['vocab_size']),
    bosTokenId: firstNumber(cfg, ['bos_token_id']) ?? null,
    eosTokenIds: tokenIds(cfg.eos_token_id),
    lab: typeof lab === 'object' && lab !== null ? lab : undefined,
    raw: cfg,
  };
}
