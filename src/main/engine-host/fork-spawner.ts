import { fork } from 'node:child_process';
import type { ChildHandle, Spawner } from './child-handle';
import type { EngineToHost } from './protocol';

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
