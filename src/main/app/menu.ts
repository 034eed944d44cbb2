import { app, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { EVENT_CHANNEL } from './channels';
import type { MenuCommand } from '../../shared/lab-api';

/** The application menu; lab actions are forwarded to the page, which owns the UI state they act on. */
export function installMenu(window: BrowserWindow): void {
  const command = (name: MenuCommand['command']) => () =>
    window.webContents.send(EVENT_CHANNEL, 'menuCommand', { command: name });
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Choose Model Folder…', accelerator: 'CmdOrCtrl+O', click: command('chooseModel') },
        { label: 'Import Comparison…', accelerator: 'CmdOrCtrl+I', click: command('import') },
        { label: 'Export Comparison as JSON', accelerator: 'CmdOrCtrl+E', click: command('exportJson') },
        { type: 'separator' },
        { label: 'Restart Engine', click: command('restartEngine') },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    { label: 'View', submenu: viewMenu(app.isPackaged) },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Electron's default View menu, minus the developer tools in a packaged (production) build. */
export function viewMenu(packaged: boolean): MenuItemConstructorOptions[] {
  return [
    ...(packaged
      ? []
      : [
          { role: 'reload' as const },
          { role: 'forceReload' as const },
          { role: 'toggleDevTools' as const },
          { type: 'separator' as const },
        ]),
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
}
