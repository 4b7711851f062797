import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-url';

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

/** The origins whose links may open in the system browser (the signer's, for one). */
export type ExternalOrigins = () => readonly string[];

/** True for links that may open in the system browser: https, on one of `origins` only. */
export function isExternalLink(url: string, origins: readonly string[]): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && origins.includes(parsed.origin);
  } catch {
    return false;
  }
}

/** Refuses every permission a page may ask for (camera, notifications, geolocation...): Hoist needs none. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * Refuses navigation and redirects away from the app, webviews and new windows; an https link to one of
 * the allowed origins opens in the system browser, any other link nowhere.
 */
export function lockDownContents(contents: WebContents, origins: ExternalOrigins): void {
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url, origins())) void shell.openExternal(url);
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

/** Creates the main window; navigation and new windows are refused, allowed https links open outside. */
export function createMainWindow(preload: string, origins: ExternalOrigins): BrowserWindow {
  const window = new BrowserWindow({
    width: 1100,
    height: 720,
    minWidth: 720,
    minHeight: 480,
    show: false,
    title: 'Hoist',
    webPreferences: securePreferences(preload),
  });
  lockDownContents(window.webContents, origins);
  window.once('ready-to-show', () => window.show());
  return window;
}
