import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SettingsView } from '../../../shared/desktop';
import { CONCURRENCY } from '../../../shared/engine-limits';
import type { DesktopApi } from '../api';

/** The settings form in a modal dialog: signer URL, token, concurrency and bandwidth limit. */
export function SettingsDialog({ api, onClose }: { api: DesktopApi; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<SettingsView>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    dialog.current?.showModal();
    void api.getSettings().then(setView, (error: Error) => setProblem(error.message));
  }, [api]);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const token = String(form.get('token') ?? '');
    const bandwidth = String(form.get('bandwidth') ?? '').trim();
    api
      .saveSettings({
        signerUrl: String(form.get('signerUrl') ?? '').trim(),
        ...(token ? { token } : {}),
        concurrency: Number(form.get('concurrency')),
        bandwidthMiBps: bandwidth ? Number(bandwidth) : null,
        followSymlinks: form.get('followSymlinks') === 'on',
      })
      .then(onClose, (error: Error) => setProblem(error.message));
  };

  return (
    <dialog ref={dialog} aria-label="Settings" onClose={onClose} className="settings">
      {view && (
        <form onSubmit={submit}>
          <h2>Settings</h2>
          <label>
            Signer URL <span className="muted">(empty: the embedded local signer and store)</span>
            <input name="signerUrl" type="url" defaultValue={view.signerUrl} placeholder="https://signer.example.com" />
          </label>
          <label>
            Token{' '}
            <span className="muted">
              {view.tokenStorage === 'encrypted'
                ? '(saved, encrypted by the OS; leave empty to keep)'
                : view.tokenStorage === 'session-only'
                  ? '(kept for this session only: the OS offers no encryption)'
                  : '(none saved)'}
            </span>
            <input name="token" type="password" autoComplete="off" />
          </label>
          <label>
            Connections at once
            <input
              name="concurrency"
              type="number"
              min={CONCURRENCY.min}
              max={CONCURRENCY.max}
              required
              defaultValue={view.concurrency}
            />
          </label>
          <label>
            Bandwidth limit, MiB/s <span className="muted">(empty: no limit)</span>
            <input name="bandwidth" type="number" min={0.1} step={0.1} defaultValue={view.bandwidthMiBps ?? ''} />
          </label>
          <label className="check">
            <input name="followSymlinks" type="checkbox" defaultChecked={view.followSymlinks} />
            Follow symlinks that lead outside a folder{' '}
            <span className="muted">(off: they are skipped, so a link to a private file is never sent)</span>
          </label>
          {problem && (
            <p role="alert" className="error">
              {problem}
            </p>
          )}
          <div className="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit">Save</button>
          </div>
        </form>
      )}
    </dialog>
  );
}
