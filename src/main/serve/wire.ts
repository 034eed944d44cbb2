import type { LabEventName } from '../../shared/lab-api';

/** The WebSocket framing of the LabApi (serve mode); the Electron transport uses IPC channels instead. */
export interface WireRequest {
  id: number;
  name: string;
  params: unknown;
}

export type WireMessage =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; message: string }
  | { event: LabEventName; payload: unknown };
