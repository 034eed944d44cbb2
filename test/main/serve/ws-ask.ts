import type WebSocket from 'ws';

/** Sends one LabApi request over a serve-mode socket and resolves with the reply carrying its id. */
export function ask(ws: WebSocket, id: number, name: string, params: unknown): Promise<any> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data));
      if (message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ id, name, params }));
  });
}
