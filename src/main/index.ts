import { app, BrowserWindow, clipboard, dialog, ipcMain, safeStorage, session, shell } from 'electron';
import { join } from 'node:path';
import { registerAppScheme, serveApp, APP_URL } from './app-protocol';
import { desktopBackend } from './desktop/backend';
import { HoistService } from './desktop/hoist-service';
import { startEngine } from './desktop/start-engine';
import { SettingsStore, type SecretBox } from './desktop/settings-store';
import { registerIpc } from './ipc';
import { integrateWithOs } from './os-integration';
import { createMainWindow, hardenSession, lockDownContents } from './window';
import { IPC } from '../shared/ipc-channels';

// The Electron shell: one window, one service, IPC wiring and OS integration. Everything else is plain Node.
if (!app.requestSingleInstanceLock()) app.quit();
registerAppScheme();
// Every web contents, not only the window's, gets the navigation and window rules.
app.on('web-contents-created', (_event, contents) => lockDownContents(contents));

let window: BrowserWindow | undefined;

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
  serveApp(join(import.meta.dirname, '../renderer'));
  const stateDir = join(app.getPath('userData'), 'state');
  const service = new HoistService({
    settings: new SettingsStore(join(app.getPath('userData'), 'settings.json'), secretBox),
    createEngine: (settings) => startEngine(settings, stateDir, (stop) => app.once('will-quit', stop)),
    stateDir,
  });
  window = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'));
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
      copyText: (text) => clipboard.writeText(text),
      openPath: async (path) => {
        const problem = await shell.openPath(path);
        if (problem) throw new Error(`Cannot open ${path}: ${problem}`);
      },
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
