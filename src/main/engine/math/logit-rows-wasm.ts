import { LOGIT_ROWS_WASM_BASE64 } from './logit-rows-wasm-bytes';
import { EXP_FRACTIONS, EXP_POWERS_OF_TWO } from './exp-non-positive';

/**
 * Passes over a row of float32 logits in WebAssembly SIMD (logit-rows.wat), each the same numbers as its scalar
 * loop in log-softmax.ts, bit for bit: the normaliser's two passes (well under half the time: a GPT-2-size beam
 * step normalises eight rows of 50,257), and the skipping inside a top-k scan.
 */

/** where the module expects its tables and the logits (see logit-rows.wat) */
const FRACTIONS_AT = 0;
const POWERS_AT = 2048;
const LOGITS_AT = 16384;
const PAGE = 65536;

interface LogitRowsExports {
  memory: WebAssembly.Memory;
  weighted: WebAssembly.Global;
  maxIndex(ptr: number, len: number): number;
  expSums(ptr: number, len: number, max: number): number;
  nextAbove(ptr: number, from: number, len: number, threshold: number): number;
}

function instantiate(): LogitRowsExports | null {
  try {
    const module = new WebAssembly.Module(Buffer.from(LOGIT_ROWS_WASM_BASE64, 'base64'));
    const exports = new WebAssembly.Instance(module).exports as unknown as LogitRowsExports;
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

/** Copies a row of logits into the module's memory (grown when the row is larger than it holds). */
function copyIn(module: LogitRowsExports, logits: Float32Array): void {
  if (logits.length > logitsView.length) {
    const needed = LOGITS_AT + logits.length * 4 - module.memory.buffer.byteLength;
    module.memory.grow(Math.ceil(needed / PAGE));
    logitsView = new Float32Array(module.memory.buffer, LOGITS_AT);
  }
  logitsView.set(logits);
}

/** The normaliser's sums over float32 logits, or null where WebAssembly SIMD is missing. */
export function normaliserSumsFloat32(logits: Float32Array): NormaliserSums | null {
  if (!wasm) return null;
  copyIn(wasm, logits);
  const at = wasm.maxIndex(LOGITS_AT, logits.length);
  const max = at < 0 ? -Infinity : logits[at]!;
  const sum = wasm.expSums(LOGITS_AT, logits.length, max);
  return { max, maxAt: Math.max(at, 0), sum, weighted: wasm.weighted.value as number };
}

/**
 * A top-k scan's skipping over a row of float32 logits: `next(from, threshold)` is the first index at or after
 * `from` whose entry is not at or below `threshold` (NaN counts as above), or the row's length. Null where
 * WebAssembly SIMD is missing. Valid until the next call into this module (the row is copied in once).
 */
export function float32RowScan(logits: Float32Array): ((from: number, threshold: number) => number) | null {
  if (!wasm) return null;
  copyIn(wasm, logits);
  const module = wasm;
  const length = logits.length;
  return (from, threshold) => module.nextAbove(LOGITS_AT, from, length, threshold);
}
