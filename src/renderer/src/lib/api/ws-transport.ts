import type { LabApi, LabEventName, LabEvents } from '../../../../shared/lab-api';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type Incoming =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string }
  | { event: LabEventName; payload: unknown };

/**
 * The LabApi over the serve mode's WebSocket. The access token comes from the page's own address;
 * requests wait for the socket to open, and fail with a clear message if it closes.
 */
export function webSocketApi(url: string): LabApi & { ready: Promise<void> } {
  const socket = new WebSocket(url);
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let closedReason: string | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('cannot reach the Lattice Lab server')));
  });
  socket.addEventListener('close', () => {
    closedReason = 'the connection to the Lattice Lab server was closed; restart `npm run serve` and reload';
    for (const p of pending.values()) p.reject(new Error(closedReason));
    pending.clear();
    for (const listener of listeners.get('engineStatus') ?? []) listener({ state: 'crashed', message: closedReason });
  });
  socket.addEventListener('message', (message) => {
    const data = JSON.parse(String(message.data)) as Incoming;
    if ('event' in data) {
      for (const listener of listeners.get(data.event) ?? []) listener(data.payload);
      return;
    }
    const waiting = pending.get(data.id);
    pending.delete(data.id);
    if (!waiting) return;
    if (data.ok) waiting.resolve(data.value);
    else waiting.reject(new Error(data.message));
  });
  return {
    ready,
    async request(name, params) {
      await ready;
      if (closedReason) throw new Error(closedReason);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        socket.send(JSON.stringify({ id, name, params }));
      });
    },
    on<E extends LabEventName>(event: E, listener: (payload: LabEvents[E]) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: unknown) => void);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
