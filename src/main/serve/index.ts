/**
 * `npm run serve`: the lab without Electron. The same LabService (engine in a forked process) behind a
 * WebSocket, and the built renderer served to any local browser. Prints the address to open.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabService } from '../host/lab-service';
import { engineEntryPath, forkSpawner } from '../engine-link/spawn';
import { startServeServer } from './serve-server';
import { rendererFolder } from './renderer-folder';

const service = new LabService({ spawn: forkSpawner(engineEntryPath()) });
const port = process.env.LATTICE_LAB_PORT ? Number(process.env.LATTICE_LAB_PORT) : 0;
const handle = await startServeServer({
  service,
  rendererDir: rendererFolder(path.dirname(fileURLToPath(import.meta.url))),
  port,
});
console.log(`Lattice Lab is serving at ${handle.url}`);

const stop = async () => {
  await handle.close();
  service.dispose();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
