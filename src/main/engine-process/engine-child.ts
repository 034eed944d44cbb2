/**
 * Entry of the engine process. Started by the host with Electron's utilityProcess (messages on
 * `process.parentPort`) or with child_process.fork (messages on `process.send`); the engine itself
 * does not care which. It never imports electron.
 */
import { EngineWorker } from './engine-worker';
import type { EngineToHost, HostToEngine } from '../engine-link/protocol';

interface ParentPort {
  on(event: 'message', listener: (event: { data: HostToEngine }) => void): void;
  postMessage(message: EngineToHost): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function post(message: EngineToHost): void {
  if (parentPort) parentPort.postMessage(message);
  else process.send?.(message);
}

const worker = new EngineWorker(post);
if (parentPort) parentPort.on('message', (event) => worker.handle(event.data));
else process.on('message', (message) => worker.handle(message as HostToEngine));
// fork: the engine ends with its parent; utilityProcess children are killed by Electron.
process.on('disconnect', () => process.exit(0));
post({ type: 'ready' });
