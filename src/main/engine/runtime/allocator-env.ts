import { spawnSync } from 'node:child_process';

/**
 * glibc settings for a process that runs the engine. Each forward pass hands back its KV cache and logits as fresh
 * ArrayBuffers (onnxruntime-node copies every output), megabytes a step for a batched frontier of a GPT-2-size
 * model. With glibc's defaults such buffers are mapped anew from the kernel and unmapped when collected, so a
 * batched step paid for ~100k page faults per run (beam-8 on GPT-2 size: passes of 120–150 ms instead of 40 ms,
 * measured with process.resourceUsage). Serving them from the heap (mmap threshold at its 32 MiB maximum) and
 * never trimming it keeps that memory mapped from step to step. glibc reads these only at process start: set
 * them in the environment of the process that will run the engine.
 */
export const ENGINE_ALLOCATOR_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
  MALLOC_TRIM_THRESHOLD_: String(2 ** 31 - 1),
};

/** Whether this process started with the engine's allocator settings. */
export function hasEngineAllocatorEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return Object.entries(ENGINE_ALLOCATOR_ENV).every(([key, value]) => env[key] === value);
}

/**
 * For a command-line process that runs the engine itself (`lab`, the bench): unless it already has the settings,
 * runs this same command again in a child that has them (standard streams shared) and returns its exit status;
 * returns null in the process that has them, which goes on.
 */
export function rerunWithEngineAllocatorEnv(): number | null {
  if (hasEngineAllocatorEnv()) return null;
  const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, ...ENGINE_ALLOCATOR_ENV },
  });
  if (child.error) throw child.error;
  // a child killed by a signal (a crash, Ctrl-C) ends this process the same way, so that callers see it
  if (child.signal) process.kill(process.pid, child.signal);
  return child.status ?? 1;
}
