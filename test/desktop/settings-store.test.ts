import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { sealingKeychain } from '../helpers/keychains';

const input = {
  signerUrl: 'https://signer.example.com',
  concurrency: 12 as number | 'auto',
  proxy: { mode: 'system' as const },
  caFile: null,
  bandwidthMiBps: 5,
  followSymlinks: false,
  autoStart: false,
};
const file = async () => join(await mkdtemp(join(tmpdir(), 'hoist-settings-')), 'settings.json');

describe('settings', () => {
  it('start from defaults: the embedded signer, automatic connections, the system proxy, no limit, no token', async () => {
    expect(new SettingsStore(await file(), sealingKeychain()).view()).toEqual({
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
  });

  it('keep a manual proxy password only encrypted, show it to the window as *** and keep it when it comes back so (N8)', async () => {
    const path = await file();
    const proxy = { mode: 'manual' as const, url: 'http://ana:s3cret-pw@proxy.example:3128', noProxy: '' };
    const store = new SettingsStore(path, sealingKeychain());
    const view = store.save({ ...input, proxy });
    expect(view.proxy).toEqual({ ...proxy, url: 'http://***@proxy.example:3128' });
    const onDisk = await readFile(path, 'utf8');
    expect(onDisk).not.toContain('s3cret-pw');
    expect(onDisk).toContain('proxyAuthEncrypted');
    expect(new SettingsStore(path, sealingKeychain()).get().proxy).toEqual(proxy);
    store.save({ ...input, proxy: view.proxy });
    expect(store.get().proxy).toEqual(proxy);
    store.save({ ...input, proxy: { ...proxy, url: 'http://***@elsewhere.example:3128' } });
    expect(store.get().proxy).toEqual({ ...proxy, url: 'http://elsewhere.example:3128' });
    const noKeychain = await file();
    new SettingsStore(noKeychain, sealingKeychain(false)).save({ ...input, proxy });
    expect(await readFile(noKeychain, 'utf8')).not.toContain('s3cret-pw');
  });

  it('refuse a sign-in made for a signer that is no longer the one set (N4)', async () => {
    const store = new SettingsStore(await file(), sealingKeychain());
    store.save({ ...input, signerUrl: 'https://other.example.com' });
    const signIn = {
      signer: 'https://signer.example.com',
      issuer: 'https://id.example',
      clientId: 'hoist',
      accessToken: 'a',
      expiresAt: 0,
    };
    expect(() => store.setSignIn(signIn)).toThrow('sign in again');
    expect(store.get().signIn).toBeUndefined();
    store.save({ ...input });
    store.setSignIn(signIn);
    expect(store.get().signIn).toEqual(signIn);
  });

  it('write the token only encrypted, and read it back in a new session', async () => {
    const path = await file();
    const view = new SettingsStore(path, sealingKeychain()).save({ ...input, token: 'secret-token-123' });
    expect(view).toMatchObject({ hasToken: true, tokenStorage: 'encrypted', concurrency: 12 });
    expect(view).not.toHaveProperty('token');
    const onDisk = await readFile(path, 'utf8');
    expect(onDisk).not.toContain('secret-token-123');
    expect(onDisk).toContain('tokenEncrypted');
    expect(new SettingsStore(path, sealingKeychain()).get().token).toBe('secret-token-123');
  });

  it('keep the saved token when none is given, and forget it when given empty', async () => {
    const path = await file();
    const store = new SettingsStore(path, sealingKeychain());
    store.save({ ...input, token: 'keep-me' });
    store.save({ ...input, concurrency: 3 });
    expect(store.get()).toMatchObject({ token: 'keep-me', concurrency: 3 });
    store.save({ ...input, token: '' });
    expect(store.get().token).toBeUndefined();
    expect(await readFile(path, 'utf8')).not.toContain('tokenEncrypted');
  });

  it('keep the token for this session only when the OS cannot encrypt it', async () => {
    const path = await file();
    const store = new SettingsStore(path, sealingKeychain(false));
    expect(store.save({ ...input, token: 'plain-token' }).tokenStorage).toBe('session-only');
    expect(store.get().token).toBe('plain-token');
    expect(await readFile(path, 'utf8')).not.toContain('plain-token');
    expect(new SettingsStore(path, sealingKeychain(false)).get().token).toBeUndefined();
  });

  it('fall back to defaults, and say why, when the file is damaged', async () => {
    const path = await file();
    await writeFile(path, '{"concurrency": "lots"');
    const store = new SettingsStore(path, sealingKeychain());
    expect(store.get().concurrency).toBe('auto');
    expect(store.problem).toMatch(/settings\.json could not be read/u);
  });

  it('forget the token when the signer origin changes, so it never reaches a host it was not made for', async () => {
    const store = new SettingsStore(await file(), sealingKeychain());
    store.save({ ...input, token: 'for-signer-example' });
    expect(store.save({ ...input, signerUrl: 'https://signer.example.com/v2' }).hasToken).toBe(true);
    const moved = store.save({ ...input, signerUrl: 'https://other.example.net' });
    expect(moved.hasToken).toBe(false);
    expect(store.get().token).toBeUndefined();
    expect(store.save({ ...input, signerUrl: 'https://other.example.net', token: 'for-other' }).hasToken).toBe(true);
  });

  it('keep the file and its folder private (0600 in 0700)', async () => {
    const path = await file();
    new SettingsStore(path, sealingKeychain()).save({ ...input, token: 't' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(path))).mode & 0o777).toBe(0o700);
  });

  it('read a limit saved in MB/s by Hoist 0.1 as the same bytes per second in MiB/s', async () => {
    const path = await file();
    await writeFile(path, JSON.stringify({ signerUrl: '', concurrency: 4, bandwidthMBps: 10 }));
    expect(new SettingsStore(path, sealingKeychain()).get().bandwidthMiBps).toBeCloseTo(10_000_000 / 1024 ** 2, 6);
  });
});
