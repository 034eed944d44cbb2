// Compiles src/main/engine/math/logit-rows.wat into logit-rows-wasm-bytes.ts (base64, committed: the app and the
// CLI load it with no build step). test/main/engine/math/logit-rows-wasm.test.ts checks the two stay in step.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import wabt from 'wabt';

const mathFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../src/main/engine/math');
export const WAT_FILE = path.join(mathFolder, 'logit-rows.wat');
export const BYTES_FILE = path.join(mathFolder, 'logit-rows-wasm-bytes.ts');

/** The module's binary, from the text in logit-rows.wat. */
export async function compileLogitRows(): Promise<Buffer> {
  const toolkit = await wabt();
  const module = toolkit.parseWat(path.basename(WAT_FILE), fs.readFileSync(WAT_FILE, 'utf8'), { simd: true });
  try {
    module.validate();
    return Buffer.from(module.toBinary({}).buffer);
  } finally {
    module.destroy();
  }
}

/** The generated TypeScript file for a binary. */
export function bytesModuleText(binary: Buffer): string {
  return [
    '// Generated from logit-rows.wat by `npm run build:wasm`: do not edit.',
    `export const LOGIT_ROWS_WASM_BASE64 =`,
    `  '${binary.toString('base64')}';`,
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  fs.writeFileSync(BYTES_FILE, bytesModuleText(await compileLogitRows()));
  console.log(`wrote ${path.relative(process.cwd(), BYTES_FILE)}`);
}
