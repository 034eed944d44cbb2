import { fork } from 'node:child_process';
import { ENGINE_ALLOCATOR_ENV } from '../engine/runtime/allocator-env';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineToHost, HostToEngine } from './protocol';

/** One started engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface ChildHandle {
  send(message: HostToEngine): void;
  onMessage(listener: (message: EngineToHost) => void): void;
  /** called once when the process ends; `reason` is a readable exit code or signal */
  onExit(listener: (reason: string) => void): void;
  kill(): void;
}

export type Spawner = () => ChildHandle;

/**
 * Where the engine process's entry script is: `engine.js` next to the built main bundle (electron-vite
 * emits it as a second main entry), or `engine-process/engine-child.ts` when running from source under tsx.
 */
export function engineEntryPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.join(here, '..', 'engine-process', 'engine-child.ts'),
    path.join(here, 'engine.js'),
    path.join(here, '..', 'engine.js'),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`engine entry not found (looked for ${candidates.join(', ')})`);
  return found;
}

/**
 * Starts the engine with child_process.fork (serve mode and tests). A TypeScript entry (running from
 * source) is loaded through tsx; the built `engine.js` runs as is.
 */
export function forkSpawner(entry: string): Spawner {
  return () => {
    const child = fork(entry, [], {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, ...ENGINE_ALLOCATOR_ENV },
    });
    const handle: ChildHandle = {
      send: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as EngineToHost)),
      onExit: (listener) =>
        child.once('exit', (code, signal) => listener(signal ? `signal ${signal}` : `exit code ${code}`)),
      kill: () => {
        child.kill('SIGKILL');
      },
    };
    return handle;
  };
}
