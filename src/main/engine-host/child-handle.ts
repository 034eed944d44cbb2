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
