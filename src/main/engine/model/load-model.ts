import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelInfo } from '../../../shared/model';
import { ModelLoadError } from './model-error';
import { checkConfigTokenIds, parseModelConfig, type ModelConfig } from './model-config';
import { modelFile, readModelJson } from './folder-files';
import { checkTokenizerJson } from './tokenizer-check';
import { LabTokenizer } from './tokenizer';
import { capabilitiesOf, readSignature, type GraphSignature } from './signature';
import { DecoderSession } from './decoder-session';
import { LogitLensSession } from './logit-lens-session';
import type { KvShape } from './kv-tensors';
import { contextLength } from '../guards/context-guard';
import { modelStrategyDefaults } from '../guards/model-defaults';

export interface LoadedModel {
  info: ModelInfo;
  config: ModelConfig;
  tokenizer: LabTokenizer;
  decoder: DecoderSession;
  /** [vocab * hidden], row-major; lab convention only */
  embeddings: Float32Array | null;
  lens: LogitLensSession | null;
  /** exactly what the sessions were created with (a benchmark's raw loop builds its session from these) */
  sessionOptions: ort.InferenceSession.SessionOptions;
  release(): Promise<void>;
}

/** Graph files in the order Optimum / transformers.js exports name them. */
export const GRAPH_CANDIDATES = [
  'onnx/model.onnx',
  'onnx/decoder_model_merged.onnx',
  'decoder_model_merged.onnx',
  'model.onnx',
  'onnx/model_quantized.onnx',
  'onnx/model_fp16.onnx',
];

export interface LoadOptions {
  /** a graph file relative to the folder, overriding the search order */
  graph?: string;
  /** onnxruntime's intra-op threads; unset: LATTICE_LAB_THREADS, else onnxruntime's default (one per physical core) */
  threads?: number;
}

/** The session options every graph of a model is created with. */
export function sessionOptions(threads?: number): ort.InferenceSession.SessionOptions {
  const fromEnv = process.env.LATTICE_LAB_THREADS ? Number(process.env.LATTICE_LAB_THREADS) : undefined;
  const chosen = threads ?? fromEnv;
  if (chosen !== undefined && !(Number.isInteger(chosen) && chosen >= 1)) {
    throw new ModelLoadError(`the thread count must be a positive integer (got ${chosen})`, 'LATTICE_LAB_THREADS');
  }
  return {
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(chosen !== undefined ? { intraOpNumThreads: chosen } : {}),
  };
}

async function createSession(
  file: string,
  rel: string,
  options: ort.InferenceSession.SessionOptions,
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, options);
  } catch (err) {
    throw new ModelLoadError(`cannot load the ONNX graph (${(err as Error).message.split('\n')[0]})`, rel);
  }
}

function disagree(what: string, configValue: number | undefined, graphValue: number | null, graphFile: string): void {
  if (configValue !== undefined && graphValue !== null && configValue !== graphValue) {
    throw new ModelLoadError(
      `config.json says ${what} = ${configValue} but the graph ${graphFile} has ${graphValue}`,
      'config.json',
    );
  }
}

/** Loads a model folder (config.json, tokenizer.json, an ONNX decoder) and checks that its parts agree. */
export async function loadModel(folder: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelLoadError('model folder not found', dir);
  const config = parseModelConfig(readModelJson(dir, 'config.json'), 'config.json');
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON, checked before use
  const tokenizerJson = readModelJson(dir, 'tokenizer.json') as Record<string, any>;
  const tokenizerMaxId = checkTokenizerJson(tokenizerJson);
  const tokenizerConfig = fs.existsSync(path.join(dir, 'tokenizer_config.json'))
    ? readModelJson(dir, 'tokenizer_config.json')
    : {};
  if (typeof tokenizerConfig !== 'object' || tokenizerConfig === null || Array.isArray(tokenizerConfig)) {
    throw new ModelLoadError('expected a JSON object', 'tokenizer_config.json');
  }

  const graphFile = options.graph ?? GRAPH_CANDIDATES.find((c) => fs.existsSync(path.join(dir, c)));
  if (!graphFile || !fs.existsSync(path.join(dir, graphFile))) {
    throw new ModelLoadError(
      `no ONNX decoder graph found (looked for ${options.graph ?? GRAPH_CANDIDATES.join(', ')})`,
      dir,
    );
  }
  const graphPath = modelFile(dir, graphFile, 'the graph', graphFile);
  const ortOptions = sessionOptions(options.threads);
  const session = await createSession(graphPath, graphFile, ortOptions);
  const sessions: ort.InferenceSession[] = [session];
  try {
    const signature = readSignature(session, graphFile);
    disagree('the number of layers', config.numLayers, signature.numLayers, graphFile);
    disagree('the number of key/value heads', config.numKvHeads, signature.numKvHeads, graphFile);
    disagree('the head size', config.headDim, signature.headDim, graphFile);
    disagree('the hidden size', config.hiddenSize, signature.hiddenSize, graphFile);
    const numKvHeads = signature.numKvHeads ?? config.numKvHeads;
    const headDim = signature.headDim ?? config.headDim;
    const hiddenSize = signature.hiddenSize ?? config.hiddenSize ?? null;
    if (!numKvHeads || !headDim) {
      throw new ModelLoadError(
        'the KV cache shape is neither in the graph nor in config.json (num_key_value_heads, head_dim)',
        'config.json',
      );
    }
    if (signature.convention === 'lab' && !hiddenSize) {
      throw new ModelLoadError('hidden_size is missing', 'config.json');
    }
    const kvShape: KvShape = { numLayers: signature.numLayers, numKvHeads, headDim, type: signature.kvType };
    const decoder = new DecoderSession(session, signature, kvShape, hiddenSize);
    decoder.maxPositions = contextLength(config);

    const embeddingsFile = signature.convention === 'lab' ? embeddingsPath(dir, config) : null;
    // the probe needs one embedding row; the whole matrix is read only once its size is known to be right
    const firstRow = embeddingsFile ? readFloats(embeddingsFile, 1, hiddenSize!, config.lab!.embeddings!) : undefined;
    const vocabSize = await probeVocabSize(decoder, firstRow, graphFile);
    disagree('vocab_size', config.vocabSize, vocabSize, graphFile);
    checkConfigTokenIds(config, vocabSize, 'config.json');
    // checked on the raw ids before the library builds its tables (an id of 2^31 would take minutes)
    if (tokenizerMaxId + 1 > vocabSize) {
      throw new ModelLoadError(
        `the tokenizer has ${tokenizerMaxId + 1} tokens but the graph's logits have ${vocabSize} columns`,
        'tokenizer.json',
      );
    }
    let tokenizer: LabTokenizer;
    try {
      tokenizer = new LabTokenizer(tokenizerJson, tokenizerConfig as Record<string, unknown>);
    } catch (err) {
      throw new ModelLoadError(`cannot build the tokenizer (${(err as Error).message})`, 'tokenizer.json');
    }
    if (tokenizer.vocabSize < vocabSize && config.vocabSize !== vocabSize) {
      throw new ModelLoadError(
        `the tokenizer has ${tokenizer.vocabSize} tokens but the graph's logits have ${vocabSize} columns ` +
          '(a padded vocabulary must be declared as vocab_size in config.json)',
        'tokenizer.json',
      );
    }
    const embeddings = embeddingsFile
      ? readFloats(embeddingsFile, vocabSize, hiddenSize!, config.lab!.embeddings!, true)
      : null;
    let lens: LogitLensSession | null = null;
    if (config.lab?.lens && hiddenSize) {
      const lensSession = await createSession(
        modelFile(dir, config.lab.lens, 'lattice_lab.lens'),
        config.lab.lens,
        ortOptions,
      );
      sessions.push(lensSession);
      lens = new LogitLensSession(lensSession, hiddenSize);
    }
    const info: ModelInfo = {
      folder: dir,
      name: path.basename(dir),
      convention: signature.convention,
      graphFile,
      family: config.family,
      numLayers: signature.numLayers,
      numHeads: config.numHeads ?? numKvHeads,
      numKvHeads,
      headDim,
      hiddenSize,
      vocabSize,
      kvDtype: signature.kvType,
      bosTokenId: config.bosTokenId,
      eosTokenIds: config.eosTokenIds,
      capabilities: capabilitiesOf(signature, embeddings !== null, lens !== null),
      inputs: signature.inputs,
      outputs: signature.outputs,
      contextLength: contextLength(config),
      strategyDefaults: modelStrategyDefaults(config),
    };
    return {
      info,
      config,
      tokenizer,
      decoder,
      embeddings,
      lens,
      sessionOptions: ortOptions,
      release: async () => {
        await Promise.all(sessions.map((s) => s.release()));
      },
    };
  } catch (err) {
    await Promise.all(sessions.map((s) => s.release()));
    throw err;
  }
}

function embeddingsPath(dir: string, config: ModelConfig): string {
  const rel = config.lab?.embeddings;
  if (!rel)
    throw new ModelLoadError(
      'a lab-convention model needs lattice_lab.embeddings (the token embedding matrix)',
      'config.json',
    );
  return modelFile(dir, rel, 'lattice_lab.embeddings');
}

/**
 * `count` float32 values from the start of a file. With `exact`, the file must hold exactly that many: its size
 * is checked before anything is read, so a wrong multi-gigabyte file is refused at once.
 */
function readFloats(file: string, rows: number, hiddenSize: number, rel: string, exact = false): Float32Array {
  const count = rows * hiddenSize;
  const size = fs.statSync(file).size;
  if (exact ? size !== count * 4 : size < count * 4) {
    const what = `${exact ? '' : 'at least '}${rows} × ${hiddenSize} float32 values`;
    throw new ModelLoadError(`expected ${what} (${count * 4} bytes), found ${size} bytes`, rel);
  }
  const values = new Float32Array(count);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, new Uint8Array(values.buffer), 0, count * 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  return values;
}

/** One tiny forward pass at load: finds the real logits width and turns a graph that cannot run into a load error. */
async function probeVocabSize(
  decoder: DecoderSession,
  firstEmbedding: Float32Array | undefined,
  graphFile: string,
): Promise<number> {
  try {
    const out = await decoder.forward({
      batch: 1,
      seq: 1,
      inputIds: [0],
      inputsEmbeds: firstEmbedding,
      past: null,
    });
    return out.logits.length;
  } catch (err) {
    throw new ModelLoadError(
      `a test forward pass failed; config.json may disagree with the graph (${(err as Error).message.split('\n')[0]})`,
      graphFile,
    );
  }
}

export type { GraphSignature };
