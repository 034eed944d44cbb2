/** A one-line progress bar on stderr (redrawn in place on a terminal, a line every 10% otherwise). */
export class ProgressBar {
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(fraction: number, message = ''): void {
    const width = 24;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const text = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ${message}`;
    if (this.stream.isTTY) {
      this.stream.write(
        `\r${text.slice(0, (this.stream.columns ?? 100) - 1).padEnd((this.stream.columns ?? 100) - 1)}`,
      );
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        this.stream.write(`${text}\n`);
      }
    }
  }

  done(): void {
    if (this.stream.isTTY) this.stream.write('\n');
  }
}
