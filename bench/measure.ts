/** One printed benchmark figure; `target` turns it into a checked ratio (">= 0.95"). */
export interface Measured {
  name: string;
  value: number;
  unit: string;
  /** the figure must be at least this */
  atLeast?: number;
  /** the figure must be at most this */
  atMost?: number;
  /** printed after the verdict (e.g. how far the figure moved within the run) */
  note?: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export function verdict(r: Measured): string {
  if (r.atLeast !== undefined) return `target ≥ ${r.atLeast}: ${r.value >= r.atLeast ? 'met' : 'MISSED'}`;
  if (r.atMost !== undefined) return `target ≤ ${r.atMost}: ${r.value <= r.atMost ? 'met' : 'MISSED'}`;
  return '';
}

export function formatRow(r: Measured): string {
  const ratio = r.unit === '×' || r.unit === 'of ceiling';
  // a ratio checked against a target shows the digit its verdict turns on (0.966 is not 0.97)
  const digits = ratio ? (r.atLeast !== undefined || r.atMost !== undefined ? 3 : 2) : 1;
  const line = `${r.name.padEnd(62)} ${r.value.toFixed(digits).padStart(10)} ${r.unit.padEnd(10)} ${verdict(r)}`;
  return (r.note ? `${line.trimEnd()}  (${r.note})` : line).trimEnd();
}
