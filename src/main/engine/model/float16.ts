import { getFloat16, setFloat16 } from '@petamoriken/float16';

/**
 * float16 tensors at a graph's boundary travel as Uint16Array bit patterns (onnxruntime-node has no Float16Array);
 * the engine computes in float32. These convert between the two, rounding to nearest even on the way down.
 */
export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = getFloat16(view, 2 * i, true);
  return out;
}

export function float32ToFloat16(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) setFloat16(view, 2 * i, values[i]!, true);
  return out;
}
