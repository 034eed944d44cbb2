/**
 * Checks on the raw JSON of an import, before and after the schema: how deep it nests, whether its strings
 * are well-formed Unicode, and whether the schema kept every key it was given. Each walk is iterative (an
 * explicit stack), so a hostile file cannot overflow the call stack.
 */

/** The deepest nesting an export has (an HMM analysis: file → runs → run → result → analysis → trellis → cells → …). */
export const MAX_NESTING = 32;

export class ExportFormatError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ExportFormatError';
  }
}

export type JsonPath = ReadonlyArray<PropertyKey>;

export function formatPath(path: JsonPath): string {
  let out = '$';
  for (const key of path)
    out +=
      typeof key === 'number'
        ? `[${key}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(key))
          ? `.${String(key)}`
          : `[${JSON.stringify(String(key))}]`;
  return out;
}

/** A walk's position as a link to its parent: the path is spelled out only for an error (copying it per value costs O(depth)). */
interface Link {
  key: PropertyKey | null;
  parent: Link | null;
}

function linkPath(link: Link): string {
  const path: PropertyKey[] = [];
  for (let at: Link | null = link; at && at.key !== null; at = at.parent) path.push(at.key);
  return formatPath(path.reverse());
}

/** In a `u` regexp a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /\p{Cs}/u;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Refuses nesting deeper than MAX_NESTING and strings that are not well-formed UTF-16 (a lone surrogate is
 * what invalid UTF-8 becomes when a decoder is told not to replace it; the lab never turns it into U+FFFD).
 */
export function checkJsonShape(input: unknown): void {
  type Entry = Link & { value: unknown; parent: Entry | null; depth: number };
  const stack: Entry[] = [{ value: input, key: null, parent: null, depth: 0 }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { value, depth } = entry;
    if (typeof value === 'string') {
      if (LONE_SURROGATE.test(value))
        throw new ExportFormatError(
          'text is not valid Unicode (a lone surrogate); it is refused, not replaced',
          linkPath(entry),
        );
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_NESTING) {
      throw new ExportFormatError(
        `nested more than ${MAX_NESTING} levels deep; no Lattice Lab export nests this far`,
        linkPath(entry),
      );
    }
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--)
        stack.push({ value: value[i], key: i, parent: entry, depth: depth + 1 });
    } else {
      for (const key of Object.keys(value)) {
        if (LONE_SURROGATE.test(key))
          throw new ExportFormatError('a key is not valid Unicode (a lone surrogate)', linkPath(entry));
        stack.push({ value: (value as Record<string, unknown>)[key], key, parent: entry, depth: depth + 1 });
      }
    }
  }
}

/**
 * Every key of the input must survive in the parsed value at the same place: a schema that strips unknown keys
 * would otherwise lose data without a word. Defaults the schema adds are fine (present in the output only).
 */
export function checkNothingDropped(input: unknown, parsed: unknown): void {
  type Entry = Link & { a: unknown; b: unknown; parent: Entry | null };
  const stack: Entry[] = [{ a: input, b: parsed, key: null, parent: null }];
  while (stack.length > 0) {
    const entry = stack.pop()!;
    const { a, b } = entry;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < a.length; i++) stack.push({ a: a[i], b: b[i], key: i, parent: entry });
    } else if (isPlainObject(a) && isPlainObject(b)) {
      for (const key of Object.keys(a)) {
        if (!Object.hasOwn(b, key)) {
          throw new ExportFormatError(
            `unknown key "${key}" (this version of the lab does not read it and will not drop it silently)`,
            linkPath(entry),
          );
        }
        stack.push({ a: a[key], b: b[key], key, parent: entry });
      }
    }
  }
}
