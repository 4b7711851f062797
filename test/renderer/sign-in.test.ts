import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { startEngine } from '../../src/main/desktop/start-engine';
import {
  approveInBrowser,
  startTestIdentityProvider,
  type TestIdentityProvider,
  trusting,
} from '../helpers/identity-provider';
import { closeBrowser, openRenderer } from '../helpers/renderer';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// Signing in from Settings, as a person does it: the production build in Chromium, the real service,
// a real OpenID provider (whose consent the test approves, standing in for the person's browser) and
// a signer that trusts it.
const s3 = inject('s3');
let idp: TestIdentityProvider;
let signer: TestSigner;

const keychain = {
  isEncryptionAvailable: () => true,
  encryptString: (plain: string) => Buffer.from(Buffer.from(plain).map((b) => b ^ 0x5a)),
  decryptString: (sealed: Buffer) => Buffer.from(sealed.map((b) => b ^ 0x5a)).toString(),
};

beforeAll(async () => {
  idp = await startTestIdentityProvider();
  signer = await startTestSigner(s3, {
    ...trusting(idp),
    quotas: { filesPerDay: 3 },
  });
});
afterAll(async () => {
  await closeBrowser();
  await signer?.close();
  await idp?.close();
});

describe('signing in from the desktop window', () => {
  it('signs in through the browser, shows who the person is, and warns of a quota before the upload', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-app-sign-in-'));
    const store = new SettingsStore(join(stateDir, 'settings.json'), keychain);
    store.save({
      signerUrl: signer.url,
      concurrency: 'auto',
      proxy: { mode: 'none' },
      caFile: null,
      bandwidthMiBps: null,
      followSymlinks: false,
      autoStart: false,
    });
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
      openExternal: async (url) => void approveInBrowser(url, 'dana'),
    });
    const h = await openRenderer(service);
    try {
      await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Settings' });
      const group = dialog.getByRole('group', { name: 'Sign-in' });
      await h.screenshot('19a-sign-in');
      await group.getByRole('button', { name: 'Sign in…' }).click();
      await expect.poll(() => group.textContent(), { timeout: 20_000 }).toContain(`Signed in with ${idp.issuer}`);
      await dialog.getByRole('button', { name: 'Check' }).click();
      const account = dialog.getByRole('list', { name: 'Your account' });
      await expect.poll(() => account.textContent()).toContain('Signed in as oidc:dana');
      await expect.poll(() => account.textContent()).toContain('Files go to users/dana/');
      await expect.poll(() => account.textContent()).toContain('3 files left');
      await h.screenshot('19b-signed-in');
      await dialog.getByRole('button', { name: 'Cancel' }).click();

      // Five files against a quota of three a day: the plan says so before anything is sent.
      const folder = await mkdtemp(join(tmpdir(), 'hoist-quota-'));
      const { writeFile } = await import('node:fs/promises');
      await Promise.all([1, 2, 3, 4, 5].map((n) => writeFile(join(folder, `${n}.txt`), `file ${n}`)));
      h.picks.folders = [folder];
      await h.page.getByRole('button', { name: 'Add folder…' }).click();
      const plan = h.page.getByLabel('Plan');
      await expect
        .poll(() => plan.textContent(), { timeout: 20_000 })
        .toContain('Over your quota of 3 files a day: this batch needs 5 files, 3 files left');
      await h.screenshot('20-quota-warning');
    } finally {
      await h.close();
      service.close();
    }
  });
});
