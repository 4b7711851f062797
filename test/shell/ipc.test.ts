import { describe, expect, it, vi } from 'vitest';
import { IpcRefused, registerIpc, type IpcBackend } from '../../src/main/ipc';
import { ProgressRelay } from '../../src/main/progress-relay';
import { IPC } from '../../src/shared/ipc';
import type { BatchProgress } from '../../src/shared/progress';

function setup() {
  const handlers: Record<string, (event: any, payload?: unknown) => unknown> = {};
  const ipcMain = {
    handle: (channel: string, fn: (event: any, payload?: unknown) => unknown) => (handlers[channel] = fn),
  };
  const mainFrame = { url: 'file:///app/index.html' };
  const contents = { mainFrame };
  const backend: IpcBackend = {
    pickFolders: vi.fn(async () => []),
    addBatches: vi.fn(async (paths: string[]) => paths.map(() => 'id')),
    control: vi.fn(),
  };
  registerIpc(ipcMain as any, () => contents as any, backend);
  const trusted = { sender: contents, senderFrame: mainFrame };
  return { handlers, backend, trusted, contents };
}

describe('IPC handlers', () => {
  it('pass valid payloads from the window to the backend', async () => {
    const { handlers, backend, trusted } = setup();
    await handlers[IPC.addBatches]!(trusted, ['/home/ana/photos']);
    expect(backend.addBatches).toHaveBeenCalledWith(['/home/ana/photos']);
    await handlers[IPC.control]!(trusted, { batchId: 'photos-1', action: 'pause' });
    expect(backend.control).toHaveBeenCalledWith({ batchId: 'photos-1', action: 'pause' });
  });

  it.each([
    [IPC.addBatches, 'not-an-array'],
    [IPC.addBatches, []],
    [IPC.addBatches, [42]],
    [IPC.control, { batchId: '../x', action: 'pause' }],
    [IPC.control, { batchId: 'b', action: 'rm -rf' }],
    [IPC.control, { batchId: 'b', action: 'pause', extra: true }],
  ])('refuse a malformed payload on %s: %j', async (channel, payload) => {
    const { handlers, backend, trusted } = setup();
    expect(() => handlers[channel]!(trusted, payload)).toThrow(IpcRefused);
    expect(backend.addBatches).not.toHaveBeenCalled();
    expect(backend.control).not.toHaveBeenCalled();
  });

  it('refuse foreign senders and subframes', () => {
    const { handlers, backend, contents } = setup();
    expect(() => handlers[IPC.pickFolders]!({ sender: {}, senderFrame: contents.mainFrame })).toThrow(
      'not the Hoist window',
    );
    expect(() =>
      handlers[IPC.pickFolders]!({ sender: contents, senderFrame: { url: 'https://evil.example' } }),
    ).toThrow(IpcRefused);
    expect(backend.pickFolders).not.toHaveBeenCalled();
  });
});

describe('progress relay', () => {
  it('sends at most one message per interval, with the latest snapshot of each batch', async () => {
    vi.useFakeTimers();
    const sent: BatchProgress[][] = [];
    const relay = new ProgressRelay((batches) => sent.push(batches), 100);
    const snap = (batchId: string, done: number) => ({ batchId, bytes: { done, total: 100 } }) as BatchProgress;
    for (let i = 0; i < 1000; i++) relay.push(snap('a', i));
    relay.push(snap('b', 1));
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.map((b) => [b.batchId, b.bytes.done])).toEqual([
      ['a', 999],
      ['b', 1],
    ]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(1);
    vi.useRealTimers();
  });
});
