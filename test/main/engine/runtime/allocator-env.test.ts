import { describe, expect, it } from 'vitest';
import { ENGINE_ALLOCATOR_ENV, hasEngineAllocatorEnv } from '../../../../src/main/engine/runtime/allocator-env';

describe('engine allocator environment', () => {
  it('asks glibc for heap-served buffers up to its 32 MiB maximum and no trimming, and recognises itself', () => {
    expect(ENGINE_ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_).toBe('33554432');
    expect(Number(ENGINE_ALLOCATOR_ENV.MALLOC_TRIM_THRESHOLD_)).toBe(2 ** 31 - 1);
    expect(hasEngineAllocatorEnv({ ...ENGINE_ALLOCATOR_ENV, PATH: '/bin' })).toBe(true);
    expect(hasEngineAllocatorEnv({ MALLOC_MMAP_THRESHOLD_: '33554432' })).toBe(false);
    expect(hasEngineAllocatorEnv({ ...ENGINE_ALLOCATOR_ENV, MALLOC_TRIM_THRESHOLD_: '0' })).toBe(false);
  });
});
