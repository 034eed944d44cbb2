import { app, BrowserWindow, shell } from 'electron';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

export interface AppWindow {
  window: BrowserWindow;
  /** the address our page is loaded from; IPC accepts only this origin */
  appUrl: string;
}

/**
 * The main window, locked down per Electron's security checklist: isolated, sandboxed preload, no
 * Node in the page, no navigation away from our page and no new windows (links open in the browser).
 */
export function createMainWindow(outDir: string): AppWindow {
  const window = new BrowserWindow({
    width: 1400,
    height: 900,
    show: false,
    title: 'Lattice Lab',
    webPreferences: {
      preload: path.join(outDir, 'preload', 'index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      // no developer tools (menu item or shortcut) in a packaged build
      devTools: !app.isPackaged,
    },
  });
  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const appUrl = devUrl ?? pathToFileURL(path.join(outDir, 'renderer', 'index.html')).href;
  window.webContents.on('will-navigate', (event, url) => {
    if (url !== appUrl) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(appUrl);
  return { window, appUrl };
}
