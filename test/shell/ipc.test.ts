import { describe, expect, it, vi } from 'vitest';
import { IpcRefused, registerIpc, type IpcBackend } from '../../src/main/ipc';
import { IPC } from '../../src/shared/ipc-channels';

function setup() {
  const handlers: Record<string, (event: any, ...args: unknown[]) => unknown> = {};
  const ipcMain = {
    handle: (channel: string, fn: (event: any, ...args: unknown[]) => unknown) => (handlers[channel] = fn),
  };
  const mainFrame = { url: 'app://hoist/index.html' };
  const contents = { mainFrame };
  const backend = Object.fromEntries(
    [
      'pickFolders',
      'pickFiles',
      'addBatches',
      'grantDropped',
      'control',
      'controlFile',
      'listFiles',
      'copyLink',
      'copyDetails',
      'checkSigner',
      'openReport',
      'copyPlace',
      'openPlace',
      'getSettings',
      'saveSettings',
    ].map((name) => [name, vi.fn(async () => undefined)]),
  ) as unknown as Record<keyof IpcBackend, ReturnType<typeof vi.fn>>;
  registerIpc(ipcMain as any, () => contents as any, backend as unknown as IpcBackend);
  const trusted = { sender: contents, senderFrame: mainFrame };
  return { handlers, backend, trusted, contents };
}

const settings = {
  signerUrl: 'https://signer.example.com',
  token: 't',
  concurrency: 8,
  proxy: { mode: 'system' },
  caFile: null,
  bandwidthMiBps: null,
  followSymlinks: false,
  autoStart: false,
};

describe('IPC handlers', () => {
  it('register one handler per API call', () => {
    const { handlers } = setup();
    expect(Object.keys(handlers).sort()).toEqual(
      Object.values(IPC)
        .filter((c) => c !== IPC.update)
        .sort(),
    );
  });

  it.each([
    ['addBatches', IPC.addBatches, ['/home/ana/photos']],
    ['control', IPC.control, { batchId: 'photos-1', action: 'retryFailed' }],
    ['controlFile', IPC.controlFile, { batchId: 'photos-1', path: 'a/b.jpg', action: 'cancel' }],
    ['listFiles', IPC.listFiles, { batchId: 'photos-1', filter: 'failed', offset: 0, limit: 100 }],
    ['copyLink', IPC.copyLink, { batchId: 'photos-1', path: 'a/b.jpg' }],
    ['openReport', IPC.openReport, 'photos-1'],
    ['copyPlace', IPC.copyPlace, 'photos-1'],
    ['openPlace', IPC.openPlace, 'photos-1'],
    ['saveSettings', IPC.saveSettings, settings],
    ['saveSettings', IPC.saveSettings, { ...settings, signerUrl: '' }],
    ['pickFolders', IPC.pickFolders, undefined],
  ] as const)('pass a valid %s payload to the backend', async (name, channel, payload) => {
    const { handlers, backend, trusted } = setup();
    await (payload === undefined ? handlers[channel]!(trusted) : handlers[channel]!(trusted, payload));
    expect(backend[name]).toHaveBeenCalledWith(...(payload === undefined ? [undefined] : [payload]));
  });

  it.each([
    [IPC.addBatches, 'not-an-array'],
    [IPC.addBatches, []],
    [IPC.addBatches, [42]],
    [IPC.addBatches, Array.from({ length: 101 }, () => '/x')],
    [IPC.control, { batchId: '../x', action: 'pause' }],
    [IPC.control, { batchId: 'b', action: 'rm -rf' }],
    [IPC.control, { batchId: 'b', action: 'pause', extra: true }],
    [IPC.controlFile, { batchId: 'b', path: '', action: 'pause' }],
    [IPC.listFiles, { batchId: 'b', filter: 'all', offset: -1, limit: 10 }],
    [IPC.listFiles, { batchId: 'b', filter: 'all', offset: 0, limit: 1_000_000 }],
    [IPC.listFiles, { batchId: 'b', filter: 'secret', offset: 0, limit: 10 }],
    [IPC.copyLink, { batchId: 'b' }],
    [IPC.openReport, { batchId: 'b' }],
    [IPC.openPlace, '../x'],
    [IPC.saveSettings, { ...settings, signerUrl: 'file:///etc/passwd' }],
    [IPC.saveSettings, { ...settings, signerUrl: 'javascript:alert(1)' }],
    [IPC.saveSettings, { ...settings, concurrency: 0 }],
    [IPC.saveSettings, { ...settings, bandwidthMiBps: -1 }],
    [IPC.saveSettings, { ...settings, concurrency: 'fast' }],
    [IPC.saveSettings, { ...settings, proxy: { mode: 'pac' } }],
    [IPC.saveSettings, { ...settings, proxy: { mode: 'manual', url: 'socks5://127.0.0.1:1080', noProxy: '' } }],
    [IPC.saveSettings, { ...settings, proxy: { mode: 'manual', url: 'http://proxy:3128/path', noProxy: '' } }],
    [IPC.saveSettings, { ...settings, caFile: '' }],
    [IPC.saveSettings, { ...settings, admin: true }],
    [IPC.pickFolders, { path: '/' }],
  ])('refuse a malformed payload on %s: %j', async (channel, payload) => {
    const { handlers, backend, trusted } = setup();
    expect(() => handlers[channel]!(trusted, payload)).toThrow(IpcRefused);
    for (const fn of Object.values(backend)) expect(fn).not.toHaveBeenCalled();
  });

  it('refuse extra arguments', () => {
    const { handlers, trusted } = setup();
    expect(() => handlers[IPC.openReport]!(trusted, 'b', 'more')).toThrow('Expected one payload');
  });

  it('name the field and the problem in the refusal', () => {
    const { handlers, trusted } = setup();
    expect(() => handlers[IPC.saveSettings]!(trusted, { ...settings, concurrency: 0 })).toThrow(
      /at `concurrency`: .*>=1/u,
    );
  });

  it('refuse foreign senders and subframes', () => {
    const { handlers, backend, contents } = setup();
    expect(() => handlers[IPC.pickFolders]!({ sender: {}, senderFrame: contents.mainFrame })).toThrow(
      'not the Hoist window',
    );
    expect(() =>
      handlers[IPC.copyLink]!(
        { sender: contents, senderFrame: { url: 'https://evil.example' } },
        { batchId: 'b', path: 'a' },
      ),
    ).toThrow(IpcRefused);
    expect(backend.pickFolders).not.toHaveBeenCalled();
    expect(backend.copyLink).not.toHaveBeenCalled();
  });

  it("refuse the window's own frame once it shows anything but the app's pages (checklist item 17)", () => {
    const { handlers, backend, contents } = setup();
    for (const url of ['https://evil.example/', 'app://hoist.evil/index.html', 'file:///etc/passwd', '']) {
      contents.mainFrame.url = url;
      expect(() => handlers[IPC.getSettings]!({ sender: contents, senderFrame: contents.mainFrame }), url).toThrow(
        "not the Hoist window's own page",
      );
    }
    expect(backend.getSettings).not.toHaveBeenCalled();
  });
});
