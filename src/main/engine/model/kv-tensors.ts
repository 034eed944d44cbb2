/** KV cache data as ONNX wants it: per layer a key and a value array, each [batch, kvHeads, length, headDim]. */
export type KvArray = Float32Array | Uint16Array;

export interface KvTensors {
  keys: KvArray[];
  values: KvArray[];
  batch: number;
  length: number;
}

export interface KvShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  type: 'float32' | 'float16';
}

export function kvBytes(shape: KvShape, batch: number, length: number): number {
  const perElement = shape.type === 'float16' ? 2 : 4;
  return 2 * shape.numLayers * batch * shape.numKvHeads * length * shape.headDim * perElement;
}

export function emptyKvArray(shape: KvShape, elements: number): KvArray {
  return shape.type === 'float16' ? new Uint16Array(elements) : new Float32Array(elements);
}
