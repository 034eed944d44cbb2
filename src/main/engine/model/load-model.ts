import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ModelInfo } from '../../../shared/model';
import { ModelLoadError } from './model-error';
import { parseModelConfig, type ModelConfig } from './model-config';
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

function readJson(file: string, folder: string): unknown {
  const rel = path.relative(folder, file) || file;
  if (!fs.existsSync(file)) throw new ModelLoadError('file not found', rel);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ModelLoadError(`not valid JSON (${(err as Error).message})`, rel);
  }
}

async function createSession(file: string, rel: string, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(file, options);
  } catch (err) {
    throw new ModelLoadError(`cannot load the ONNX graph (${(err as Error).message.split('\n')[0]})`, rel);
  }
}

function disagree(what: string, configValue: number | undefined, graphValue: number | null, graphFile: string): void {
  if (configValue !== undefined && graphValue !== null && configValue !== graphValue) {
    throw new ModelLoadError(`config.json says ${what} = ${configValue} but the graph ${graphFile} has ${graphValue}`, 'config.json');
  }
}

/** Loads a model folder (config.json, tokenizer.json, an ONNX decoder) and checks that its parts agree. */
export async function loadModel(folder: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const dir = path.resolve(folder);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelLoadError('model folder not found', dir);
  const config = parseModelConfig(readJson(path.join(dir, 'config.json'), dir), 'config.json');
  const tokenizerJson = readJson(path.join(dir, 'tokenizer.json'), dir) as Record<string, any>;
  const tokenizerConfigFile = path.join(dir, 'tokenizer_config.json');
  const tokenizerConfig = fs.existsSync(tokenizerConfigFile) ? (readJson(tokenizerConfigFile, dir) as Record<string, any>) : {};
  let tokenizer: LabTokenizer;
  try {
    tokenizer = new LabTokenizer(tokenizerJson, tokenizerConfig);
  } catch (err) {
    throw new ModelLoadError(`cannot build the tokenizer (${(err as Error).message})`, 'tokenizer.json');
  }

  const graphFile = options.graph ?? GRAPH_CANDIDATES.find((c) => fs.existsSync(path.join(dir, c)));
  if (!graphFile || !fs.existsSync(path.join(dir, graphFile))) {
    throw new ModelLoadError(`no ONNX decoder graph found (looked for ${options.graph ?? GRAPH_CANDIDATES.join(', ')})`, dir);
  }
  const ortOptions = sessionOptions(options.threads);
  const session = await createSession(path.join(dir, graphFile), graphFile, ortOptions);
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
      throw new ModelLoadError('the KV cache shape is neither in the graph nor in config.json (num_key_value_heads, head_dim)', 'config.json');
    }
    if (signature.convention === 'lab' && !hiddenSize) {
      throw new ModelLoadError('hidden_size is missing', 'config.json');
    }
    const kvShape: KvShape = { numLayers: signature.numLayers, numKvHeads, headDim, type: signature.kvType };
    const decoder = new DecoderSession(session, signature, kvShape, hiddenSize);

    const embeddings = signature.convention === 'lab' ? readEmbeddings(dir, config, hiddenSize!) : null;
    const vocabSize = await probeVocabSize(decoder, embeddings, hiddenSize, graphFile);
    disagree('vocab_size', config.vocabSize, vocabSize, graphFile);
    if (tokenizer.vocabSize > vocabSize) {
      throw new ModelLoadError(
        `the tokenizer has ${tokenizer.vocabSize} tokens but the graph's logits have ${vocabSize} columns`,
        'tokenizer.json',
      );
    }
    if (tokenizer.vocabSize < vocabSize && config.vocabSize !== vocabSize) {
      throw new ModelLoadError(
        `the tokenizer has ${tokenizer.vocabSize} tokens but the graph's logits have ${vocabSize} columns ` +
          '(a padded vocabulary must be declared as vocab_size in config.json)',
        'tokenizer.json',
      );
    }
    if (embeddings && embeddings.length !== vocabSize * hiddenSize!) {
      throw new ModelLoadError(`expected ${vocabSize} × ${hiddenSize} float32 values, found ${embeddings.length}`, config.lab!.embeddings!);
    }
    let lens: LogitLensSession | null = null;
    if (config.lab?.lens && hiddenSize) {
      const lensSession = await createSession(path.join(dir, config.lab.lens), config.lab.lens, ortOptions);
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

function readEmbeddings(dir: string, config: ModelConfig, hiddenSize: number): Float32Array {
  const rel = config.lab?.embeddings;
  if (!rel) throw new ModelLoadError('a lab-convention model needs lattice_lab.embeddings (the token embedding matrix)', 'config.json');
  const file = path.join(dir, rel);
  if (!fs.existsSync(file)) throw new ModelLoadError('file not found', rel);
  const bytes = fs.readFileSync(file);
  if (bytes.byteLength % (4 * hiddenSize) !== 0) {
    throw new ModelLoadError(`size ${bytes.byteLength} bytes is not a whole number of float32 rows of ${hiddenSize}`, rel);
  }
  const aligned = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(aligned.buffer).set(bytes);
  return aligned;
}

/** One tiny forward pass at load: finds the real logits width and turns a graph that cannot run into a load error. */
async function probeVocabSize(
  decoder: DecoderSession,
  embeddings: Float32Array | null,
  hiddenSize: number | null,
  graphFile: string,
): Promise<number> {
  try {
    const out = await decoder.forward({
      batch: 1,
      seq: 1,
      inputIds: [0],
      inputsEmbeds: embeddings ? embeddings.slice(0, hiddenSize!) : undefined,
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
