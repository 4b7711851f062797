import { app, BrowserWindow, clipboard, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { registerAppScheme, serveApp } from './app-protocol';
import { APP_URL } from './app-url';
import { desktopBackend } from './desktop/backend';
import { HoistService } from './desktop/hoist-service';
import { startEngine } from './desktop/start-engine';
import { SettingsStore, type SecretBox } from './desktop/settings-store';
import { registerIpc } from './ipc';
import { setAppMenu } from './menu';
import { integrateWithOs } from './os-integration';
import { createMainWindow, hardenSession, lockDownContents } from './window';
import { IPC } from '../shared/ipc-channels';
import { capYoungGeneration } from '../engine';

// The Electron shell: one window, one service, IPC wiring and OS integration. Everything else is plain Node.
if (!app.requestSingleInstanceLock()) app.quit();
capYoungGeneration();
registerAppScheme();
let window: BrowserWindow | undefined;
let settings: SettingsStore | undefined;

/** Links may open in the system browser only on the signer's own https origin. */
const externalOrigins = (): string[] => {
  const signer = settings?.get().signerUrl;
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
  const stateDir = join(app.getPath('userData'), 'state');
  const service = new HoistService({
    settings: (settings = new SettingsStore(join(app.getPath('userData'), 'settings.json'), secretBox)),
    createEngine: (current) =>
      startEngine(
        current,
        stateDir,
        (stop) => app.once('will-quit', stop),
        (url) => session.defaultSession.resolveProxy(url),
        (signIn) => settings?.setSignIn(signIn),
      ),
    stateDir,
    openExternal: (url) => shell.openExternal(url),
  });
  window = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'), externalOrigins);
  service.on('update', (update) => window?.webContents.send(IPC.update, update));
  integrateWithOs(service, () => window);
  const pick = async (property: 'openDirectory' | 'openFile') => {
    const picked = await dialog.showOpenDialog(window!, { properties: [property, 'multiSelections'] });
    return picked.canceled ? [] : picked.filePaths;
  };
  registerIpc(
    ipcMain,
    () => window?.webContents,
    desktopBackend(service, {
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
  await service
    .restoreUnfinished()
    .catch((error: Error) => console.error(`Cannot list unfinished batches: ${error.message}`));
});

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
app.on('window-all-closed', () => app.quit());
