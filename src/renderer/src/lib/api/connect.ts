import type { LabApi } from '../../../../shared/lab-api';
import { webSocketApi } from './ws-transport';

export interface Connection {
  api: LabApi;
  /** Electron (preload bridge, native folder dialog) or a browser on the serve mode */
  mode: 'electron' | 'serve';
}

/** The preload's `window.lab` in Electron; otherwise the serve mode's WebSocket, token from the address. */
export async function connectLab(): Promise<Connection> {
  const bridged = (window as unknown as { lab?: LabApi }).lab;
  if (bridged) return { api: bridged, mode: 'electron' };
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const api = webSocketApi(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
  await api.ready;
  return { api, mode: 'serve' };
}
