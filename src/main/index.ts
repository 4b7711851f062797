import { app, BrowserWindow, clipboard, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { registerAppScheme, serveApp } from './app-protocol';
import { APP_URL } from './app-url';
import { desktopBackend } from './desktop/backend';
import { startServiceThread, type ServiceThread } from './desktop/service-thread';
import type { SecretBox } from './desktop/settings-store';
import { registerIpc } from './ipc';
import { setAppMenu } from './menu';
import { integrateWithOs } from './os-integration';
import { createMainWindow, hardenSession, lockDownContents } from './window';
import { IPC } from '../shared/ipc-channels';

// The Electron shell: one window, the service on a thread of its own, IPC wiring and OS integration.
// Everything else is plain Node.
if (!app.requestSingleInstanceLock()) app.quit();
registerAppScheme();
let window: BrowserWindow | undefined;
let service: ServiceThread | undefined;

/** Links may open in the system browser only on the signer's own https origin. */
const externalOrigins = (): string[] => {
  const signer = service?.signerUrl;
  return signer?.startsWith('https:') ? [new URL(signer).origin] : [];
};

// Every web contents, not only the window's, gets the navigation and window rules; a packaged build
// closes DevTools should anything open them.
app.on('web-contents-created', (_event, contents) => {
  lockDownContents(contents, externalOrigins);
  if (app.isPackaged) contents.on('devtools-opened', () => contents.closeDevTools());
});

/** safeStorage, counted as unavailable when Linux falls back to its unencrypted `basic_text` store. */
const secretBox: SecretBox = {
  isEncryptionAvailable: () =>
    safeStorage.isEncryptionAvailable() &&
    (process.platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
  encryptString: (plain) => safeStorage.encryptString(plain),
  decryptString: (encrypted) => safeStorage.decryptString(encrypted),
};

void app.whenReady().then(async () => {
  hardenSession(session.defaultSession);
  setAppMenu(app.isPackaged);
  serveApp(join(import.meta.dirname, '../renderer'));
  const thread = startServiceThread({
    settingsFile: join(app.getPath('userData'), 'settings.json'),
    stateDir: join(app.getPath('userData'), 'state'),
    secretBox,
    resolveProxy: (url) => session.defaultSession.resolveProxy(url),
    openExternal: (url) => shell.openExternal(url),
  });
  service = thread;
  app.once('will-quit', () => void thread.close());
  window = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'), externalOrigins);
  thread.on('update', (update) => window?.webContents.send(IPC.update, update));
  integrateWithOs(thread, () => window);
  const pick = async (property: 'openDirectory' | 'openFile') => {
    const picked = await dialog.showOpenDialog(window!, { properties: [property, 'multiSelections'] });
    return picked.canceled ? [] : picked.filePaths;
  };
  registerIpc(
    ipcMain,
    () => window?.webContents,
    desktopBackend(thread, {
      pickFolders: () => pick('openDirectory'),
      pickFiles: () => pick('openFile'),
      pickCaFile: async () => {
        const picked = await dialog.showOpenDialog(window!, {
          properties: ['openFile'],
          filters: [{ name: 'PEM certificates', extensions: ['pem', 'crt', 'cer'] }],
        });
        return picked.canceled ? undefined : picked.filePaths[0];
      },
      confirm: async (message, detail) =>
        (
          await dialog.showMessageBox(window!, {
            type: 'question',
            message,
            detail,
            buttons: ['Cancel', 'Change'],
            defaultId: 0,
            cancelId: 0,
          })
        ).response === 1,
      copyText: (text) => clipboard.writeText(text),
      openPath: async (path) => {
        const problem = await shell.openPath(path);
        if (problem) throw new Error(`Cannot open ${path}: ${problem}`);
      },
      openUrl: (url) => shell.openExternal(url),
    }),
  );
  await window.loadURL(APP_URL);
  await thread
    .restoreUnfinished()
    .catch((error: Error) => console.error(`Cannot list unfinished batches: ${error.message}`));
});

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
app.on('window-all-closed', () => app.quit());
