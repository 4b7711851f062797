import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { BatchView, DesktopUpdate } from '../../src/shared/desktop';

const electron = vi.hoisted(() => ({
  appHandlers: {} as Record<string, (event: { preventDefault(): void }) => void>,
  notifications: [] as { title: string; body: string }[],
  blockers: { started: 0, stopped: [] as number[] },
  answer: 0,
}));
vi.mock('electron', () => ({
  app: { on: (event: string, fn: (e: { preventDefault(): void }) => void) => (electron.appHandlers[event] = fn) },
  dialog: { showMessageBoxSync: vi.fn(() => electron.answer) },
  Notification: class {
    static isSupported = () => true;
    constructor(readonly options: { title: string; body: string }) {}
    show() {
      electron.notifications.push(this.options);
    }
  },
  powerSaveBlocker: {
    start: () => ++electron.blockers.started,
    stop: (id: number) => electron.blockers.stopped.push(id),
  },
}));

const { integrateWithOs, taskbarProgress, endNotice } = await import('../../src/main/os-integration');

const view = (phase: BatchView['phase'], extra: Partial<BatchView> = {}): BatchView => ({
  batchId: 'b',
  root: '/home/ana/photos',
  onConflict: 'skip',
  phase,
  hasReport: false,
  ...extra,
});
const update = (batches: BatchView[], done = 25, total = 100): DesktopUpdate => ({
  batches,
  overall: {
    batches: batches.length,
    files: { total: 1, finished: 0, failed: 0 },
    bytes: { done, total },
    throughput: 1,
    filesPerSecond: 1,
    connections: 8,
    etaSeconds: 1,
  },
  warnings: [],
  recentDestinations: [],
});
const progress = (uploaded: number, failed: number) =>
  ({ files: { total: uploaded + failed, uploaded, skipped: 0, failed, active: 0 } }) as BatchView['progress'];

class FakeService extends EventEmitter {
  isBusy = false;
  busy = () => this.isBusy;
}

beforeEach(() => {
  electron.notifications.length = 0;
  electron.blockers.started = 0;
  electron.blockers.stopped.length = 0;
});

describe('OS integration', () => {
  it('shows the overall fraction on the taskbar, paused when every batch is, hidden when idle', () => {
    expect(taskbarProgress(update([view('uploading')]))).toEqual({ value: 0.25, mode: 'normal' });
    expect(taskbarProgress(update([view('paused')]))).toEqual({ value: 0.25, mode: 'paused' });
    expect(taskbarProgress(update([view('done')]))).toEqual({ value: -1, mode: 'none' });
  });

  it('words the end-of-batch notification by outcome', () => {
    expect(endNotice(view('done', { progress: progress(10, 0) }))).toEqual({
      title: 'photos uploaded',
      body: '10 files uploaded, 0 skipped.',
    });
    expect(endNotice(view('done', { progress: progress(8, 2) }))?.title).toBe('photos: 2 files failed');
    expect(endNotice(view('error', { error: { code: 'x', message: 'Signer down', hint: '' } }))?.body).toBe(
      'Signer down',
    );
    expect(endNotice(view('cancelled'))).toBeUndefined();
  });

  it('keeps the machine awake only while busy, sets the progress bar, and notifies at the end', () => {
    const service = new FakeService();
    const setProgressBar = vi.fn();
    integrateWithOs(service as never, () => ({ setProgressBar }) as never);
    service.isBusy = true;
    service.emit('update', update([view('uploading')]));
    service.emit('update', update([view('uploading')]));
    expect(electron.blockers.started).toBe(1);
    expect(setProgressBar).toHaveBeenLastCalledWith(0.25, { mode: 'normal' });
    service.isBusy = false;
    service.emit('update', update([view('done')]));
    expect(electron.blockers.stopped).toEqual([1]);
    expect(setProgressBar).toHaveBeenLastCalledWith(-1, { mode: 'none' });
    service.emit('ended', view('done', { progress: progress(3, 0) }));
    expect(electron.notifications).toEqual([{ title: 'photos uploaded', body: '3 files uploaded, 0 skipped.' }]);
  });

  it('asks before quitting mid-upload and stays when told to', () => {
    const service = new FakeService();
    integrateWithOs(service as never, () => undefined);
    const quit = electron.appHandlers['before-quit']!;
    const idle = { preventDefault: vi.fn() };
    quit(idle);
    expect(idle.preventDefault).not.toHaveBeenCalled();
    service.isBusy = true;
    electron.answer = 0;
    const stay = { preventDefault: vi.fn() };
    quit(stay);
    expect(stay.preventDefault).toHaveBeenCalled();
    electron.answer = 1;
    const leave = { preventDefault: vi.fn() };
    quit(leave);
    expect(leave.preventDefault).not.toHaveBeenCalled();
  });
});
