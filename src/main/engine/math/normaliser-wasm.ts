import { NORMALISER_WASM_BASE64 } from './normaliser-wasm-bytes';
import { EXP_FRACTIONS, EXP_POWERS_OF_TWO } from './exp-non-positive';

/**
 * The normaliser's two passes over float32 logits in WebAssembly SIMD (normaliser.wat): the same numbers as the
 * scalar loops in log-softmax.ts, bit for bit, in well under half the time (a GPT-2-size beam step normalises eight
 * rows of 50,257).
 */

/** where the module expects its tables and the logits (see normaliser.wat) */
const FRACTIONS_AT = 0;
const POWERS_AT = 2048;
const LOGITS_AT = 16384;
const PAGE = 65536;

interface NormaliserExports {
  memory: WebAssembly.Memory;
  weighted: WebAssembly.Global;
  maxIndex(ptr: number, len: number): number;
  expSums(ptr: number, len: number, max: number): number;
}

function instantiate(): NormaliserExports | null {
  try {
    const module = new WebAssembly.Module(Buffer.from(NORMALISER_WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module).exports as unknown as NormaliserExports;
    new Float64Array(exports.memory.buffer, FRACTIONS_AT, EXP_FRACTIONS.length).set(EXP_FRACTIONS);
    new Float64Array(exports.memory.buffer, POWERS_AT, EXP_POWERS_OF_TWO.length).set(EXP_POWERS_OF_TWO);
    return exports;
  } catch {
    // a runtime without WebAssembly SIMD: the scalar loops do the same work
    return null;
  }
}

const wasm = instantiate();
/** the logits area of the module's memory, as large as the memory allows (remade when the memory grows) */
let logitsView = wasm ? new Float32Array(wasm.memory.buffer, LOGITS_AT) : new Float32Array(0);

/** The pieces log-softmax.ts builds its normaliser from. */
export interface NormaliserSums {
  max: number;
  maxAt: number;
  /** Σ exp(x - max) over the entries above the underflow bound */
  sum: number;
  /** Σ exp(x - max)·(x - max) over the same entries */
  weighted: number;
}

/** The normaliser's sums over float32 logits, or null where WebAssembly SIMD is missing. */
export function normaliserSumsFloat32(logits: Float32Array): NormaliserSums | null {
  if (!wasm) return null;
  if (logits.length > logitsView.length) {
    const needed = LOGITS_AT + logits.length * 4 - wasm.memory.buffer.byteLength;
    wasm.memory.grow(Math.ceil(needed / PAGE));
    logitsView = new Float32Array(wasm.memory.buffer, LOGITS_AT);
  }
  logitsView.set(logits);
  const at = wasm.maxIndex(LOGITS_AT, logits.length);
  const max = at < 0 ? -Infinity : logits[at]!;
  const sum = wasm.expSums(LOGITS_AT, logits.length, max);
  return { max, maxAt: Math.max(at, 0), sum, weighted: wasm.weighted.value as number };
}
