import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { APP_SCHEME } from './app-protocol';

/** The web preferences every Hoist window uses: isolated, sandboxed, no Node in the page. */
function securePreferences(preload: string): Electron.WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/** True for links that may open in the system browser: https only. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/** Refuses every permission a page may ask for (camera, notifications, geolocation...): Hoist needs none. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/** True for URLs of the app's own pages (parsed, so `app://hoist.evil/` does not pass). */
function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === 'hoist';
  } catch {
    return false;
  }
}

/** Refuses navigation and redirects away from the app, webviews and new windows; https links open outside. */
export function lockDownContents(contents: WebContents): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Creates the main window; navigation and new windows are refused, https links open outside. */
export function createMainWindow(preload: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Hoist',
    webPreferences: securePreferences(preload),
  });
  lockDownContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  return window;
}
