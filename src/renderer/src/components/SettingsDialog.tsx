import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { AccountView, SettingsView } from '../../../shared/desktop';
import { AUTO_CONCURRENCY, CONCURRENCY } from '../../../shared/engine-limits';
import type { ProxySetting } from '../../../shared/proxy-settings';
import type { DesktopApi } from '../api';
import { formatSize } from '../format';

/** The proxy the form describes: the system's, none, or the one typed in. */
function proxyFrom(form: FormData): ProxySetting {
  const mode = String(form.get('proxyMode'));
  if (mode === 'manual')
    return { mode, url: String(form.get('proxyUrl') ?? '').trim(), noProxy: String(form.get('noProxy') ?? '').trim() };
  return mode === 'none' ? { mode } : { mode: 'system' };
}

/**
 * The settings form in a modal dialog, in sections: Account (signer, token, sign-in), Network
 * (connections, proxy, bandwidth limit), Advanced (extra CA, symlinks). The body scrolls; Save and
 * Cancel stay in view at any window height.
 */
export function SettingsDialog({ api, onClose }: { api: DesktopApi; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [view, setView] = useState<SettingsView>();
  const [proxyMode, setProxyMode] = useState<ProxySetting['mode']>('system');
  const [problem, setProblem] = useState<string>();
  const [caFile, setCaFile] = useState<string | null>(null);
  useEffect(() => {
    dialog.current?.showModal();
    void api.getSettings().then(
      (settings) => {
        setView(settings);
        setProxyMode(settings.proxy.mode);
        setCaFile(settings.caFile);
      },
      (error: Error) => setProblem(error.message),
    );
  }, [api]);

  const [account, setAccount] = useState<AccountView>();
  const [checking, setChecking] = useState(false);
  const check = () => {
    setChecking(true);
    setProblem(undefined);
    setAccount(undefined);
    api
      .checkSigner()
      .then(setAccount, (error: Error) => setProblem(error.message))
      .finally(() => setChecking(false));
  };

  const [signingIn, setSigningIn] = useState(false);
  const signIn = () => {
    setSigningIn(true);
    setProblem(undefined);
    api
      .signIn()
      .then(setView, (error: Error) => setProblem(error.message))
      .finally(() => setSigningIn(false));
  };
  const signOut = () => void api.signOut().then(setView, (error: Error) => setProblem(error.message));
  // The main process takes a CA file only from its own file dialog, never a path typed into the page.
  const browseCaFile = () =>
    void api.pickCaFile().then(
      (path) => path !== null && setCaFile(path),
      (error: Error) => setProblem(error.message),
    );

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const token = String(form.get('token') ?? '');
    const bandwidth = String(form.get('bandwidth') ?? '').trim();
    const connections = String(form.get('concurrency') ?? '').trim();
    api
      .saveSettings({
        signerUrl: String(form.get('signerUrl') ?? '').trim(),
        ...(token ? { token } : {}),
        concurrency: connections ? Number(connections) : 'auto',
        proxy: proxyFrom(form),
        caFile,
        bandwidthMiBps: bandwidth ? Number(bandwidth) : null,
        followSymlinks: form.get('followSymlinks') === 'on',
        autoStart: form.get('autoStart') === 'on',
      })
      .then(onClose, (error: Error) => setProblem(error.message));
  };

  return (
    <dialog ref={dialog} aria-label="Settings" onClose={onClose} className="settings">
      {view && (
        <form onSubmit={submit}>
          <h2>Settings</h2>
          <div className="settings-body">
            <section aria-label="Account">
              <h3>Account</h3>
              <label>
                Signer URL <span className="muted">(empty: the embedded local signer and store)</span>
                <input
                  name="signerUrl"
                  type="url"
                  defaultValue={view.signerUrl}
                  placeholder="https://signer.example.com"
                />
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
              <div className="sign-in" role="group" aria-label="Sign-in">
                {view.signedInWith ? (
                  <>
                    <span>
                      Signed in with <strong>{view.signedInWith}</strong>
                    </span>
                    <button type="button" onClick={signOut}>
                      Sign out
                    </button>
                  </>
                ) : (
                  <>
                    <span className="muted">Or sign in with your team&apos;s identity provider, in your browser</span>
                    <button type="button" onClick={signIn} disabled={signingIn || !view.signerUrl}>
                      {signingIn ? 'Waiting for the browser…' : 'Sign in…'}
                    </button>
                  </>
                )}
              </div>
              <div className="sign-in" role="group" aria-label="Check the signer">
                <span className="muted">Ask the saved signer who you are and what you may upload</span>
                <button type="button" onClick={check} disabled={checking}>
                  {checking ? 'Checking…' : 'Check'}
                </button>
              </div>
              {account && (
                <ul className="account" aria-label="Your account">
                  <li>
                    Signed in as <strong>{account.user}</strong> on{' '}
                    {account.signer === 'embedded' ? 'the embedded local signer' : account.signer}
                    {account.version && <span className="muted"> (version {account.version})</span>}
                  </li>
                  <li>
                    Files go to <strong>{account.prefix}/</strong>
                    {account.destinations ? `, only into ${account.destinations.join(', ')}` : ''}
                  </li>
                  <li>
                    Allowed: {account.allowedTypes.join(', ')}, up to {formatSize(account.maxFileSize)} a file
                  </li>
                  {account.quotas.map((quota) => (
                    <li key={quota}>{quota}</li>
                  ))}
                </ul>
              )}
              <label className="check">
                <input name="autoStart" type="checkbox" defaultChecked={view.autoStart} />
                Start uploading as soon as a batch is planned{' '}
                <span className="muted">(a batch with conflicts still asks first)</span>
              </label>
            </section>
            <section aria-label="Network">
              <h3>Network</h3>
              <label>
                Connections at once{' '}
                <span className="muted">
                  (empty: automatic, {AUTO_CONCURRENCY.min} to {AUTO_CONCURRENCY.max}, found for your network)
                </span>
                <input
                  name="concurrency"
                  type="number"
                  min={CONCURRENCY.min}
                  max={CONCURRENCY.max}
                  placeholder="automatic"
                  defaultValue={view.concurrency === 'auto' ? '' : view.concurrency}
                />
              </label>
              <fieldset className="proxy">
                <legend>Proxy</legend>
                <label>
                  Connect through
                  <select
                    name="proxyMode"
                    value={proxyMode}
                    onChange={(event) => setProxyMode(event.target.value as ProxySetting['mode'])}
                  >
                    <option value="system">the system&apos;s proxy settings</option>
                    <option value="none">no proxy</option>
                    <option value="manual">this proxy</option>
                  </select>
                </label>
                {proxyMode === 'manual' && (
                  <>
                    <label>
                      Proxy URL
                      <input
                        name="proxyUrl"
                        type="text"
                        required
                        placeholder="http://proxy.example.com:3128"
                        defaultValue={view.proxy.mode === 'manual' ? view.proxy.url : ''}
                      />
                    </label>
                    <label>
                      No proxy for <span className="muted">(hosts or .domains, comma-separated)</span>
                      <input
                        name="noProxy"
                        type="text"
                        placeholder="localhost, .internal.example.com"
                        defaultValue={view.proxy.mode === 'manual' ? view.proxy.noProxy : ''}
                      />
                    </label>
                  </>
                )}
              </fieldset>
              <label>
                Bandwidth limit, MiB/s <span className="muted">(empty: no limit)</span>
                <input name="bandwidth" type="number" min={0.1} step={0.1} defaultValue={view.bandwidthMiBps ?? ''} />
              </label>
            </section>
            <section aria-label="Advanced">
              <h3>Advanced</h3>
              <div className="file-setting">
                <label>
                  Extra certificate authorities{' '}
                  <span className="muted">(a PEM file, for a signer or store with a private CA)</span>
                  <input name="caFile" type="text" readOnly placeholder="none" value={caFile ?? ''} />
                </label>
                <button type="button" onClick={browseCaFile}>
                  Browse…
                </button>
                {caFile && (
                  <button type="button" onClick={() => setCaFile(null)}>
                    Clear
                  </button>
                )}
              </div>
              <label className="check">
                <input name="followSymlinks" type="checkbox" defaultChecked={view.followSymlinks} />
                Follow symlinks that lead outside a folder{' '}
                <span className="muted">(off: they are skipped, so a link to a private file is never sent)</span>
              </label>
            </section>
            {problem && (
              <p role="alert" className="error">
                {problem}
              </p>
            )}
          </div>
          <div className="dialog-actions">
            <button type="button" onClick={() => dialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Save
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
