/** A strategy that cannot run as asked (the model lacks a capability, a setting is out of reach); shown as a message. */
export class StrategyUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrategyUnavailableError';
  }
}
