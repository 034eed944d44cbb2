import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { forkSpawner } from '../../../src/main/engine-link/spawn';
import { ENGINE_ALLOCATOR_ENV } from '../../../src/main/engine/runtime/allocator-env';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('forkSpawner', () => {
  it("starts the engine process with the engine's allocator settings in its environment", async () => {
    const child = forkSpawner(path.join(here, 'report-env.mjs'))();
    const reported = await new Promise<unknown>((resolve) => child.onMessage(resolve as never));
    expect(reported).toEqual({
      mmap: ENGINE_ALLOCATOR_ENV.MALLOC_MMAP_THRESHOLD_,
      trim: ENGINE_ALLOCATOR_ENV.MALLOC_TRIM_THRESHOLD_,
    });
    await new Promise<void>((resolve) => child.onExit(() => resolve()));
  });
});
