import type { KvArray, KvShape } from '../model/kv-tensors';

/**
 * Arrays a batch of KV caches is copied into when it feeds exactly one forward pass (the pass's `present` is what
 * gets kept): one per slot (layer × keys/values), reused from pass to pass instead of allocated and zeroed anew,
 * with spare capacity so that a cache growing by a position a step does not reallocate every step.
 */
export class ScratchKvArrays {
  private readonly slots: KvArray[] = [];

  /** `elements` of slot `slot`'s array, of the given type; valid until the slot is taken again. */
  take(slot: number, elements: number, type: KvShape['type']): KvArray {
    let buffer = this.slots[slot];
    const wanted = type === 'float16' ? Uint16Array : Float32Array;
    if (!buffer || buffer.length < elements || !(buffer instanceof wanted)) {
      buffer = new wanted(Math.ceil(elements * 1.25));
      this.slots[slot] = buffer;
    }
    return buffer.subarray(0, elements);
  }
}
