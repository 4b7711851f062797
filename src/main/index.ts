import { app, BrowserWindow, dialog, ipcMain } from 'electron';
import { join } from 'node:path';
import { UploadEngine, type Batch } from './engine';
import { registerIpc } from './ipc';
import { ProgressRelay } from './progress-relay';
import { createMainWindow } from './window';
import { IPC } from '../shared/ipc';

// The Electron shell: one window, one engine, IPC wiring. Everything else lives in the engine.
if (!app.requestSingleInstanceLock()) app.quit();

let window: BrowserWindow | undefined;
const batches = new Map<string, Batch>();

async function engine(): Promise<UploadEngine> {
  const stateDir = join(app.getPath('userData'), 'state');
  if (process.env.HOIST_SIGNER && process.env.HOIST_TOKEN) {
    return new UploadEngine({ signerUrl: process.env.HOIST_SIGNER, token: process.env.HOIST_TOKEN, stateDir });
  }
  const { startLocalStack } = await import('@hoist/signer-server/local-stack');
  const stack = await startLocalStack(join(stateDir, 'local', 's3'), { logLevel: 'silent' });
  app.once('will-quit', () => void stack.stop());
  return new UploadEngine({ signerUrl: stack.signerUrl, signerId: 'embedded', token: stack.token, stateDir });
}

void app.whenReady().then(async () => {
  const uploads = await engine();
  window = createMainWindow(join(import.meta.dirname, '../preload/index.cjs'));
  const relay = new ProgressRelay((snapshots) => window?.webContents.send(IPC.progress, snapshots));
  registerIpc(ipcMain, () => window?.webContents, {
    pickFolders: async () => {
      const picked = await dialog.showOpenDialog(window!, { properties: ['openDirectory', 'multiSelections'] });
      return picked.canceled ? [] : picked.filePaths;
    },
    addBatches: async (paths) =>
      paths.map((path) => {
        const batch = uploads.batch(path);
        batches.set(batch.id, batch);
        batch.on('progress', (p) => relay.push(p));
        void batch
          .run()
          .catch((error: Error) =>
            window?.webContents.send(IPC.progress, [{ ...batch.progress(), error: error.message }]),
          );
        return batch.id;
      }),
    control: ({ batchId, action }) => batches.get(batchId)?.[action](),
  });
  if (process.env.ELECTRON_RENDERER_URL) await window.loadURL(process.env.ELECTRON_RENDERER_URL);
  else await window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
});

app.on('second-instance', () => {
  if (window?.isMinimized()) window.restore();
  window?.focus();
});
app.on('window-all-closed', () => app.quit());
