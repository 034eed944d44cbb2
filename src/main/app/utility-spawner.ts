import { utilityProcess } from 'electron';
import type { ChildHandle, Spawner } from '../engine-link/spawn';
import type { EngineToHost } from '../engine-link/protocol';
import { ENGINE_ALLOCATOR_ENV } from '../engine/runtime/allocator-env';

/** Starts the engine as an Electron utility process (the app; serve mode and tests use child_process.fork). */
export function utilitySpawner(entry: string): Spawner {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      serviceName: 'Lattice Lab engine',
      stdio: 'inherit',
      // glibc reads its allocator settings at process start
      env: { ...process.env, ...ENGINE_ALLOCATOR_ENV },
    });
    const handle: ChildHandle = {
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on('message', (message: EngineToHost) => listener(message)),
      onExit: (listener) => child.once('exit', (code) => listener(`exit code ${code}`)),
      kill: () => {
        child.kill();
      },
    };
    return handle;
  };
}
