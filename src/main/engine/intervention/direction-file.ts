import * as fs from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write';
import { DirectionFileSchema, type DirectionFile } from '../../../shared/intervention';

export class DirectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DirectionError';
  }
}

/** Reads and validates a direction file; the message names the file and the offending field. */
export function readDirectionFile(file: string): DirectionFile {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DirectionError(`${file}: ${(err as Error).message}`);
  }
  const parsed = DirectionFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DirectionError(`${file} is not a direction file: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  for (const [layer, vector] of Object.entries(parsed.data.layers)) {
    if (vector.length !== parsed.data.hiddenSize) {
      throw new DirectionError(
        `${file}: layer ${layer} has ${vector.length} values, hiddenSize says ${parsed.data.hiddenSize}`,
      );
    }
  }
  return parsed.data;
}

/** Writes to a temporary name in the same folder and renames, so a reader never sees half a file. */
export function writeDirectionFile(file: string, direction: DirectionFile): void {
  const checked = DirectionFileSchema.parse(direction);
  writeFileAtomic(file, JSON.stringify(checked) + '\n');
}
