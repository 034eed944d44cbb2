/** A model folder that cannot be used; the message names the problem and the file. */
export class ModelLoadError extends Error {
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'ModelLoadError';
  }
}

/** A forward pass that would run past the positions the model was trained with (its graph would fail deep in a Gather). */
export class PositionLimitError extends Error {
  constructor(
    readonly positions: number,
    readonly limit: number,
  ) {
    super(
      `the model has ${limit} positions (its config.json context) but this step needs ${positions}: ` +
        'shorten the prompt or lower maxNewTokens',
    );
    this.name = 'PositionLimitError';
  }
}
