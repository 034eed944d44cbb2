/**
 * Preload (sandboxed, context-isolated): exposes exactly the LabApi's two functions to the page, as
 * `window.lab`. No Node or Electron object crosses the bridge; the main process validates everything.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, REQUEST_CHANNEL } from '../main/app/channels';

type Reply = { ok: true; value: unknown } | { ok: false; message: string };

contextBridge.exposeInMainWorld('lab', {
  async request(name: string, params: unknown): Promise<unknown> {
    const reply = (await ipcRenderer.invoke(REQUEST_CHANNEL, name, params)) as Reply;
    if (!reply.ok) throw new Error(reply.message);
    return reply.value;
  },
  on(event: string, listener: (payload: unknown) => void): () => void {
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload);
    };
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(EVENT_CHANNEL, handler);
    };
  },
});
