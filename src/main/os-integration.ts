import { app, dialog, Notification, powerSaveBlocker, type BrowserWindow } from 'electron';
import type { BatchView, DesktopUpdate } from '../shared/desktop';
import type { DesktopService } from './desktop/service-calls';

/** The taskbar or dock progress for an update: a fraction while uploading, -1 (hidden) when idle. */
export function taskbarProgress(update: DesktopUpdate): { value: number; mode: 'normal' | 'paused' | 'none' } {
  const running = update.batches.filter((b) => b.phase === 'uploading' || b.phase === 'paused');
  if (!running.length) return { value: -1, mode: 'none' };
  const { done, total } = update.overall.bytes;
  const value = total > 0 ? Math.min(1, done / total) : 0;
  return { value, mode: running.every((b) => b.phase === 'paused') ? 'paused' : 'normal' };
}

/** The notification text for a batch that ended, or undefined when it needs none (cancelled). */
export function endNotice(view: BatchView): { title: string; body: string } | undefined {
  const name = view.root.split(/[\\/]/u).pop() ?? view.root;
  if (view.phase === 'error')
    return { title: `Upload of ${name} failed`, body: view.error?.message ?? 'Unknown error' };
  if (view.phase !== 'done' || !view.progress) return undefined;
  const { uploaded, skipped, failed } = view.progress.files;
  return failed
    ? {
        title: `${name}: ${failed} files failed`,
        body: `${uploaded} uploaded, ${skipped} skipped. Open Hoist to retry.`,
      }
    : { title: `${name} uploaded`, body: `${uploaded} files uploaded, ${skipped} skipped.` };
}

/**
 * Ties the service to the OS: taskbar progress, a notification when a batch ends, the machine kept awake
 * while uploading, and a confirmation before quitting mid-upload.
 */
export function integrateWithOs(
  service: Pick<DesktopService, 'on' | 'busy'>,
  window: () => BrowserWindow | undefined,
): void {
  let blocker: number | undefined;
  service.on('update', (update) => {
    const { value, mode } = taskbarProgress(update);
    window()?.setProgressBar(value, { mode });
    if (service.busy() && blocker === undefined) blocker = powerSaveBlocker.start('prevent-app-suspension');
    if (!service.busy() && blocker !== undefined) {
      powerSaveBlocker.stop(blocker);
      blocker = undefined;
    }
  });
  service.on('ended', (view) => {
    const notice = endNotice(view);
    if (notice && Notification.isSupported()) new Notification(notice).show();
  });
  app.on('before-quit', (event) => {
    if (!service.busy()) return;
    const parent = window();
    const options = {
      type: 'question' as const,
      buttons: ['Keep uploading', 'Quit'],
      defaultId: 0,
      cancelId: 0,
      message: 'Uploads are still running',
      detail: 'If you quit now, Hoist resumes them the next time it starts.',
    };
    const choice = parent ? dialog.showMessageBoxSync(parent, options) : dialog.showMessageBoxSync(options);
    if (choice === 0) event.preventDefault();
  });
}
