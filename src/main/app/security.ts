import { app, session } from 'electron';

/**
 * App-wide guards: no permission is ever granted (camera, notifications, ...), no webview can be
 * attached, and no remote content is fetched by any session other than our own files.
 */
export function applyAppSecurity(): void {
  session.defaultSession.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // In development the page comes from the Vite dev server (and its HMR socket); the built app is files only.
  if (!process.env.ELECTRON_RENDERER_URL) {
    session.defaultSession.webRequest.onBeforeRequest((details, callback) => {
      const local = /^(file|devtools|blob|data):/.test(details.url);
      callback({ cancel: !local });
    });
  }
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
}
