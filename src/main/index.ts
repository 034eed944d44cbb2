/**
 * Electron entry: thin glue. The LabService (engine in a utility process) does the work; this file
 * only wires it to a locked-down window, the menu and the folder dialog.
 */
import { app, BrowserWindow } from 'electron';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LabService } from './host/lab-service';
import { engineEntryPath } from './engine-link/spawn';
import { utilitySpawner } from './app/utility-spawner';
import { createMainWindow } from './app/create-window';
import { registerLabIpc } from './app/ipc';
import { installMenu } from './app/menu';
import { applyAppSecurity } from './app/security';
import { chooseModelFolder } from './app/choose-folder';

const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

app.enableSandbox();

void app.whenReady().then(() => {
  applyAppSecurity();
  let window: BrowserWindow | null = null;
  const service = new LabService({
    spawn: utilitySpawner(engineEntryPath()),
    chooseFolder: () => (window ? chooseModelFolder(window) : Promise.resolve(null)),
  });
  const open = () => {
    const created = createMainWindow(outDir);
    window = created.window;
    installMenu(created.window);
    const unregister = registerLabIpc(service, created.window, created.appUrl);
    created.window.on('closed', () => {
      unregister();
      window = null;
    });
  };
  open();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => service.dispose());
});
