import { z } from 'zod';
import { EXPORT_FORMAT, EXPORT_VERSION, ExportFileSchema, type ExportFile } from './export-format';
import { checkJsonShape, checkNothingDropped, ExportFormatError, formatPath } from './export-shape';
import { checkStructure } from './export-structure';

export { ExportFormatError } from './export-shape';

/** Older versions are upgraded one step at a time; version N's entry turns a version-N file into N+1. */
const migrations: Record<number, (file: Record<string, unknown>) => Record<string, unknown>> = {};

/**
 * Validates an imported file, migrating older versions; the error names the offending JSON path. Whatever the
 * input, the only exception is an ExportFormatError: depth is bounded before any recursive code sees it, keys
 * the schema does not know are refused (never dropped), and the nodes must form one valid tree or lattice.
 */
export function parseExportFile(input: unknown): ExportFile {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ExportFormatError('expected a JSON object', '$');
  }
  checkJsonShape(input);
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
  checkNothingDropped(file, parsed.data);
  checkStructure(parsed.data);
  return parsed.data;
}

/** The JSON Schema of the current version, for tools outside the lab. */
export function exportJsonSchema(): unknown {
  return z.toJSONSchema(ExportFileSchema, { target: 'draft-2020-12', io: 'input' });
}
