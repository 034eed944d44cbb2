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

/** The first of `keys` present; a present value must be a positive integer (a count or a size). */
function firstCount(raw: Record<string, unknown>, keys: string[], file: string): number | undefined {
  for (const key of keys) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new ModelLoadError(`${key} must be a positive integer (got ${JSON.stringify(value)})`, file);
    }
    return value;
  }
  return undefined;
}

function tokenId(value: unknown, key: string, file: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new ModelLoadError(`${key} must be a non-negative integer token id (got ${JSON.stringify(value)})`, file);
  }
  return value;
}

function tokenIds(value: unknown, key: string, file: string): number[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v, i) => tokenId(v, `${key}[${i}]`, file));
  return [tokenId(value, key, file)];
}

function labSection(value: unknown, file: string): ModelConfig['lab'] {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    throw new ModelLoadError(`lattice_lab must be an object (got ${JSON.stringify(value)})`, file);
  const lab = value as Record<string, unknown>;
  for (const key of ['embeddings', 'lens']) {
    if (lab[key] !== undefined && (typeof lab[key] !== 'string' || lab[key] === '')) {
      throw new ModelLoadError(
        `lattice_lab.${key} must be a file name inside the model folder (got ${JSON.stringify(lab[key])})`,
        file,
      );
    }
  }
  if (
    lab.thoughts !== undefined &&
    (typeof lab.thoughts !== 'object' || lab.thoughts === null || Array.isArray(lab.thoughts))
  ) {
    throw new ModelLoadError(`lattice_lab.thoughts must be an object (got ${JSON.stringify(lab.thoughts)})`, file);
  }
  return lab as ModelConfig['lab'];
}

export function parseModelConfig(raw: unknown, file: string): ModelConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelLoadError('expected a JSON object', file);
  }
  const cfg = raw as Record<string, unknown>;
  const numHeads = firstCount(cfg, ['num_attention_heads', 'n_head', 'num_heads'], file);
  const hiddenSize = firstCount(cfg, ['hidden_size', 'n_embd', 'd_model'], file);
  const headDim = firstCount(cfg, ['head_dim'], file);
  if (headDim === undefined && hiddenSize !== undefined && numHeads !== undefined && hiddenSize % numHeads !== 0) {
    throw new ModelLoadError(
      `the hidden size ${hiddenSize} is not a multiple of the ${numHeads} attention heads (give head_dim)`,
      file,
    );
  }
  return {
    family: typeof cfg.model_type === 'string' ? cfg.model_type : 'unknown',
    numLayers: firstCount(cfg, ['num_hidden_layers', 'n_layer', 'num_layers'], file),
    numHeads,
    numKvHeads: firstCount(cfg, ['num_key_value_heads', 'n_head_kv', 'num_kv_heads'], file) ?? numHeads,
    hiddenSize,
    headDim: headDim ?? (hiddenSize !== undefined && numHeads ? hiddenSize / numHeads : undefined),
    vocabSize: firstCount(cfg, ['vocab_size'], file),
    bosTokenId:
      cfg.bos_token_id === undefined || cfg.bos_token_id === null
        ? null
        : tokenId(cfg.bos_token_id, 'bos_token_id', file),
    eosTokenIds: tokenIds(cfg.eos_token_id, 'eos_token_id', file),
    lab: labSection(cfg.lattice_lab, file),
    raw: cfg,
  };
}

/** Token ids the config names must exist in the model's vocabulary (an out-of-range id fails deep in the graph). */
export function checkConfigTokenIds(config: ModelConfig, vocabSize: number, file: string): void {
  const named: [string, number][] = [
    ...(config.bosTokenId !== null ? [['bos_token_id', config.bosTokenId] as [string, number]] : []),
    ...config.eosTokenIds.map(
      (id, i) => [config.eosTokenIds.length > 1 ? `eos_token_id[${i}]` : 'eos_token_id', id] as [string, number],
    ),
  ];
  for (const [key, id] of named) {
    if (id >= vocabSize)
      throw new ModelLoadError(`${key} ${id} is outside the vocabulary (ids 0..${vocabSize - 1})`, file);
  }
}
