/** A model folder that cannot be used; the message names the problem and the file. */
export class ModelLoadError extends Error {
  constructor(message: string, readonly file: string) {
    super(`${file}: ${message}`);
    this.name = 'ModelLoadError';
  }
}
