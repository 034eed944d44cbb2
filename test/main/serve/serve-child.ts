/**
 * A serve server in its own process, for tests that must see whether the process survives what a client sends.
 * Its endpoint echoes requests and counts them, which is all a frame test needs of the lab.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServeServer } from '../../../src/main/serve/serve-server';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-serve-child-'));
fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>lab</title>');
let handled = 0;
const handle = await startServeServer({
  rendererDir: dir,
  service: {
    request: async (name, params) => ({ name, params, handled: ++handled }),
    on: () => () => {},
  },
});
process.stdout.write(JSON.stringify({ port: handle.port, token: handle.token }) + '\n');
process.on('disconnect', () => process.exit(0));
