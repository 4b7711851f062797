import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { sealingKeychain } from '../helpers/keychains';
import { startEngine } from '../../src/main/desktop/start-engine';
import { refreshSignIn } from '../../src/sign-in';
import type { BatchView, DesktopUpdate } from '../../src/shared/desktop';
import { listKeys } from '../helpers/bucket';
import { makeFolder } from '../helpers/folders';
import {
  approveInBrowser,
  startTestIdentityProvider,
  type TestIdentityProvider,
  trusting,
} from '../helpers/identity-provider';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';
import { settingsInput } from '../helpers/settings-input';

const s3 = inject('s3');
let idp: TestIdentityProvider;
let signer: TestSigner;

/** A keychain that really seals, so the sign-in is written to disk. */
const keychain = sealingKeychain();

beforeAll(async () => {
  idp = await startTestIdentityProvider({ accessTokenTtl: 5 });
  signer = await startTestSigner(s3, trusting(idp, { clockToleranceSeconds: 0 }));
});
afterAll(async () => {
  await signer?.close();
  await idp?.close();
});

const until = (service: HoistService, batchId: string, test: (view: BatchView) => boolean) =>
  new Promise<BatchView>((resolve) => {
    const check = (update: DesktopUpdate) => {
      const view = update.batches.find((b) => b.batchId === batchId);
      if (view && test(view)) {
        service.off('update', check);
        resolve(view);
      }
    };
    service.on('update', check);
  });

describe('desktop sign-in through the system browser', () => {
  it('signs in with the code flow and PKCE on a loopback redirect, keeps it sealed, refreshes it, and uploads as the user', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-desktop-sign-in-'));
    const file = join(stateDir, 'settings.json');
    const store = new SettingsStore(file, keychain);
    const opened: string[] = [];
    const service = new HoistService({
      settings: store,
      stateDir,
      createEngine: (settings) =>
        startEngine(
          settings,
          stateDir,
          async () => 'DIRECT',
          (signIn) => store.setSignIn(signIn),
        ),
      openExternal: async (url) => {
        opened.push(url);
        void approveInBrowser(url, 'dana');
      },
    });
    store.save(settingsInput({ signerUrl: signer.url, proxy: { mode: 'none' } }));
    const view = await service.signIn();
    expect(view.signedInWith).toBe(idp.issuer);
    const authorization = new URL(opened[0]!);
    expect(authorization.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorization.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/u);
    expect(authorization.searchParams.get('state')).toMatch(/^[\w-]{20,}$/u);
    const onDisk = await readFile(file, 'utf8');
    const first = store.get().signIn!;
    expect(onDisk).not.toContain(first.accessToken);
    expect(onDisk).not.toContain(first.refreshToken);
    expect(new SettingsStore(file, keychain).get().signIn).toEqual(first);

    // The access token lives 5 s: starting the engine refreshes it first.
    await new Promise((done) => setTimeout(done, 1_000));
    const [id] = service.addBatches([await makeFolder({ 'a.txt': 'alpha' })]);
    await until(service, id!, (v) => v.phase === 'ready');
    service.control({ batchId: id!, action: 'start' });
    const done = await until(service, id!, (v) => v.phase === 'done' || v.phase === 'error');
    expect(done.phase).toBe('done');
    expect(await listKeys(adminClient(s3), signer.bucket, 'users/dana/')).toEqual([`users/dana/${id}/a.txt`]);
    expect(store.get().signIn!.accessToken).not.toBe(first.accessToken);

    const last = store.get().signIn!;
    expect(last.signer).toBe(new URL(signer.url).origin);
    expect((await service.signOut()).signedInWith).toBeNull();
    expect(await readFile(file, 'utf8')).not.toContain('signInEncrypted');
    // Signing out revokes the refresh token at the provider (N13).
    await expect(refreshSignIn(last)).rejects.toThrow(/refused to refresh the sign-in/u);

    // So does changing the signer: the sign-in made for the old one is forgotten and revoked.
    const again = await service.signIn();
    expect(again.signedInWith).toBe(idp.issuer);
    const second = store.get().signIn!;
    const moved = await service.saveSettings({
      signerUrl: 'https://another-signer.example',
      concurrency: 'auto',
      proxy: { mode: 'none' },
      caFile: null,
      bandwidthMiBps: null,
      followSymlinks: false,
      autoStart: false,
    });
    expect(moved.signedInWith).toBeNull();
    await expect(refreshSignIn(second)).rejects.toThrow(/refused to refresh the sign-in/u);
  });

  it('refuses to sign in to the embedded signer, naming what to set', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-desktop-sign-in-'));
    const service = new HoistService({
      settings: new SettingsStore(join(stateDir, 'settings.json'), keychain),
      stateDir,
      createEngine: () => Promise.reject(new Error('unused')),
      openExternal: async () => undefined,
    });
    await expect(service.signIn()).rejects.toThrow('set a signer URL in Settings first');
  });
});
