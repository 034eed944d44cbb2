import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import type { LabService } from '../host/lab-service';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from './channels';
import { isTrustedSenderUrl } from './trusted-sender';

export type IpcReply = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Connects the LabService to one window. Requests are answered only for our own top frame; their
 * params are validated by the service (parseLabRequest) before anything runs. Replies are envelopes,
 * so the renderer sees the service's message rather than Electron's "Error invoking remote method".
 */
export function registerLabIpc(service: LabService, window: BrowserWindow, appUrl: string): () => void {
  const handler = async (event: IpcMainInvokeEvent, name: unknown, params: unknown): Promise<IpcReply> => {
    const frame = event.senderFrame;
    if (
      event.sender !== window.webContents ||
      !frame ||
      frame.parent !== null ||
      !isTrustedSenderUrl(frame.url, appUrl)
    ) {
      return { ok: false, message: 'request refused: it does not come from the Lattice Lab window' };
    }
    try {
      return { ok: true, value: await service.request(name, params) };
    } catch (err) {
      return { ok: false, message: err instanceof Error ? err.message : String(err) };
    }
  };
  ipcMain.handle(REQUEST_CHANNEL, handler);
  const unsubscribe = service.on((event, payload) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, event, payload);
  });
  return () => {
    ipcMain.removeHandler(REQUEST_CHANNEL);
    unsubscribe();
  };
}
