import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { BatchView } from '../../src/shared/desktop';
import { IPC } from '../../src/shared/ipc-channels';
import { makeFolder } from '../helpers/folders';

// The Electron entry point itself, against a recording mock of Electron: which handlers, protocols,
// window options and lifecycle hooks it wires up. The embedded local stack it starts is real.
const mock = vi.hoisted(() => ({
  userData: '',
  handled: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  appHandlers: new Map<string, ((...args: any[]) => unknown)[]>(),
  windows: [] as { options: any; loaded: string[]; webContents: any }[],
  schemes: [] as unknown[],
  protocols: [] as string[],
  permissionHandlers: 0,
  menu: undefined as unknown[] | undefined,
  dialogPicks: [] as string[],
}));

vi.mock('electron', () => {
  const on = (event: string, fn: (...args: any[]) => unknown) =>
    mock.appHandlers.set(event, [...(mock.appHandlers.get(event) ?? []), fn]);
  class BrowserWindow {
    webContents = {
      send: vi.fn(),
      setWindowOpenHandler: vi.fn(),
      on: vi.fn(),
      mainFrame: { url: 'app://hoist/index.html' },
    };
    record: { options: any; loaded: string[]; webContents: any };
    constructor(options: any) {
      this.record = { options, loaded: [], webContents: this.webContents };
      mock.windows.push(this.record);
    }
    once(): void {}
    setProgressBar(): void {}
    async loadURL(url: string) {
      this.record.loaded.push(url);
    }
  }
  return {
    app: {
      requestSingleInstanceLock: () => true,
      quit: vi.fn(),
      on,
      once: on,
      whenReady: () => Promise.resolve(),
      getPath: () => mock.userData,
      isPackaged: true,
    },
    Menu: {
      buildFromTemplate: (template: unknown[]) => ({ template }),
      setApplicationMenu: (menu: { template: unknown[] }) => (mock.menu = menu.template),
    },
    BrowserWindow,
    clipboard: { writeText: vi.fn() },
    dialog: {
      showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: mock.dialogPicks })),
      showMessageBoxSync: vi.fn(),
    },
    ipcMain: { handle: (channel: string, fn: any) => mock.handled.set(channel, fn) },
    net: { fetch: vi.fn() },
    Notification: class {
      static isSupported = () => false;
    },
    powerSaveBlocker: { start: vi.fn(() => 1), stop: vi.fn() },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => mock.schemes.push(...schemes),
      handle: (scheme: string) => mock.protocols.push(scheme),
    },
    safeStorage: {
      isEncryptionAvailable: () => false,
      getSelectedStorageBackend: () => 'basic_text',
      encryptString: vi.fn(),
      decryptString: vi.fn(),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => (mock.permissionHandlers += 1),
        setPermissionCheckHandler: () => (mock.permissionHandlers += 1),
      },
    },
    shell: { openPath: vi.fn(), openExternal: vi.fn() },
  };
});

afterAll(async () => {
  for (const stop of mock.appHandlers.get('will-quit') ?? []) await stop();
});

describe('the Electron main process', () => {
  it('wires one secure window, the app:// protocol, every IPC channel and the lifecycle hooks', async () => {
    mock.userData = await mkdtemp(join(tmpdir(), 'hoist-userdata-'));
    await import('../../src/main/index');
    await vi.waitFor(() => expect(mock.windows[0]?.loaded).toEqual(['app://hoist/index.html']), { timeout: 30_000 });
    // A packaged build sets a menu, and nothing in it opens DevTools.
    expect(mock.menu?.length).toBeGreaterThan(0);
    expect(JSON.stringify(mock.menu)).not.toMatch(/devtools/iu);

    expect(mock.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    expect(mock.protocols).toEqual(['app']);
    expect(mock.permissionHandlers).toBe(2);
    expect(mock.windows).toHaveLength(1);
    expect(mock.windows[0]!.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
    });
    expect(mock.windows[0]!.options.webPreferences.preload).toMatch(/preload[\\/]index\.cjs$/u);
    expect([...mock.handled.keys()].sort()).toEqual(
      Object.values(IPC)
        .filter((channel) => channel !== IPC.update)
        .sort(),
    );
    for (const hook of ['web-contents-created', 'second-instance', 'window-all-closed', 'before-quit'])
      expect(mock.appHandlers.has(hook), hook).toBe(true);
    // At launch it looks for unfinished batches, which starts the embedded signer and store; they stop
    // when the app quits.
    await vi.waitFor(() => expect(mock.appHandlers.has('will-quit')).toBe(true), { timeout: 30_000 });

    // The window's own calls go through; the token never comes back, and on Linux's basic_text
    // store it would be kept for the session only.
    const trusted = { sender: mock.windows[0]!.webContents, senderFrame: mock.windows[0]!.webContents.mainFrame };
    const settings = await mock.handled.get(IPC.getSettings)!(trusted);
    expect(settings).toEqual({
      signerUrl: '',
      hasToken: false,
      tokenStorage: 'none',
      signedInWith: null,
      concurrency: 'auto',
      proxy: { mode: 'system' },
      caFile: null,
      bandwidthMiBps: null,
      followSymlinks: false,
      autoStart: false,
    });
    expect(() => mock.handled.get(IPC.getSettings)!({ sender: {}, senderFrame: {} })).toThrow('not the Hoist window');

    // With no signer set, a batch plans and uploads against the embedded default (s3rver).
    const folder = await makeFolder({ 'hello.txt': 'hello', 'sub/world.txt': 'world' });
    // Only a folder the person picked (or dropped) may become a batch.
    await expect(async () => mock.handled.get(IPC.addBatches)!(trusted, [folder])).rejects.toThrow(
      `Refused \`${folder}\``,
    );
    mock.dialogPicks = [folder];
    expect(await mock.handled.get(IPC.pickFolders)!(trusted)).toEqual([folder]);
    const [batchId] = (await mock.handled.get(IPC.addBatches)!(trusted, [folder])) as string[];
    const phase = () => {
      const updates = mock.windows[0]!.webContents.send.mock.calls.filter(
        ([channel]: [string]) => channel === IPC.update,
      );
      return updates.at(-1)?.[1].batches.find((b: BatchView) => b.batchId === batchId) as BatchView | undefined;
    };
    await vi.waitFor(() => expect(phase()?.phase).toBe('ready'), { timeout: 30_000 });
    await mock.handled.get(IPC.control)!(trusted, { batchId, action: 'start' });
    await vi.waitFor(() => expect(phase()?.phase).toBe('done'), { timeout: 30_000 });
    expect(phase()!.progress!.files).toMatchObject({ total: 2, uploaded: 2, failed: 0 });
  });
});
