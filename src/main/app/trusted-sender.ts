/**
 * Whether an IPC message comes from our own page: the top frame of our window, at the address we
 * loaded (the built file or, in development, the dev server). Anything else is refused.
 */
export function isTrustedSenderUrl(senderUrl: string | undefined, appUrl: string): boolean {
  if (!senderUrl) return false;
  let sender: URL;
  let app: URL;
  try {
    sender = new URL(senderUrl);
    app = new URL(appUrl);
  } catch {
    return false;
  }
  if (sender.protocol !== app.protocol) return false;
  if (app.protocol === 'file:') return sender.pathname === app.pathname;
  return sender.origin === app.origin;
}
