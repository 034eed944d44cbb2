/** IPC channel names shared by the main process and the preload script. */
export const REQUEST_CHANNEL = 'lab:request';
export const EVENT_CHANNEL = 'lab:event';
