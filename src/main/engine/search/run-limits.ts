import { StrategyUnavailableError } from './strategy-errors';

/** The most nodes one run may create unless the caller asks for another cap (about 0.5–1 KB of memory each). */
export const DEFAULT_MAX_NODES = 500_000;

/** A run refused or stopped because it would outgrow a limit; the message names the setting to lower. */
export class RunLimitError extends StrategyUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'RunLimitError';
  }
}

/** Refuses a step that would take the tree past the node cap, before any of its nodes exist. */
export function checkNodeCap(current: number, adding: number, maxNodes: number, settings: string): void {
  if (current + adding <= maxNodes) return;
  throw new RunLimitError(
    `this run would grow past its cap of ${maxNodes.toLocaleString('en-US')} nodes at its next step ` +
      `(${(current + adding).toLocaleString('en-US')} with the nodes that step creates): lower ${settings}`,
  );
}
