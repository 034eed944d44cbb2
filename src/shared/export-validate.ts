import { z } from 'zod';
import { EXPORT_FORMAT, EXPORT_VERSION, ExportFileSchema, type ExportFile } from './export-format';

export class ExportFormatError extends Error {
  constructor(message: string, readonly path: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'ExportFormatError';
  }
}

/** Older versions are upgraded one step at a time; version N's entry turns a version-N file into N+1. */
const migrations: Record<number, (file: Record<string, unknown>) => Record<string, unknown>> = {};

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '$';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** Validates an imported file, migrating older versions; the error names the offending JSON path. */
export function parseExportFile(input: unknown): ExportFile {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ExportFormatError('expected a JSON object', '$');
  }
  let file = input as Record<string, unknown>;
  if (file.format !== EXPORT_FORMAT) {
    throw new ExportFormatError(`not a Lattice Lab export (expected format "${EXPORT_FORMAT}")`, '$.format');
  }
  if (typeof file.version !== 'number' || !Number.isInteger(file.version) || file.version < 1) {
    throw new ExportFormatError('version must be a positive integer', '$.version');
  }
  if (file.version > EXPORT_VERSION) {
    throw new ExportFormatError(
      `made by a newer Lattice Lab (format version ${file.version}); this one reads versions up to ${EXPORT_VERSION}`,
      '$.version',
    );
  }
  while ((file.version as number) < EXPORT_VERSION) {
    const migrate = migrations[file.version as number];
    if (!migrate) throw new ExportFormatError(`no migration from version ${file.version}`, '$.version');
    file = migrate(file);
  }
  const parsed = ExportFileSchema.safeParse(file);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ExportFormatError(issue.message, formatPath(issue.path));
  }
  checkNodeReferences(parsed.data);
  return parsed.data;
}

/** Structural checks a schema cannot express: ids unique, parents exist. */
function checkNodeReferences(file: ExportFile): void {
  file.runs.forEach((run, r) => {
    const ids = new Set<number>();
    run.nodes.forEach((node, i) => {
      if (ids.has(node.id)) throw new ExportFormatError(`duplicate node id ${node.id}`, `$.runs[${r}].nodes[${i}].id`);
      ids.add(node.id);
    });
    run.nodes.forEach((node, i) => {
      node.parents.forEach((p, j) => {
        if (!ids.has(p)) throw new ExportFormatError(`unknown parent id ${p}`, `$.runs[${r}].nodes[${i}].parents[${j}]`);
      });
    });
  });
}

/** The JSON Schema of the current version, for tools outside the lab. */
export function exportJsonSchema(): unknown {
  return z.toJSONSchema(ExportFileSchema, { target: 'draft-2020-12', io: 'input' });
}
