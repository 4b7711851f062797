import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/main/engine';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore, type SecretBox } from '../../src/main/desktop/settings-store';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { isPresignedPut, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { closeBrowser, openRenderer, type RendererHarness } from '../helpers/renderer';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient, createTestBucket } from '../helpers/test-s3';

// The production build of the renderer, in headless Chromium, against the real service, engine, signer
// and Ceph. S3 traffic goes through a fault proxy so failures are real S3 answers.
const s3 = inject('s3');
const admin = adminClient(s3);
let bucket: string;
let proxy: FaultProxy;
let signer: TestSigner;
let harness: RendererHarness | undefined;
let service: HoistService | undefined;

const keychain: SecretBox = {
  isEncryptionAvailable: () => true,
  encryptString: (plain) => Buffer.from(plain).reverse(),
  decryptString: (encrypted) => Buffer.from(encrypted).reverse().toString(),
};

beforeAll(async () => {
  bucket = await createTestBucket(s3);
  proxy = await startFaultProxy(s3.endpoint);
  signer = await startTestSigner(
    { ...s3, endpoint: proxy.url },
    { bucket, policy: { maxFileSize: 2 * 1024 * 1024 }, rateLimit: { max: 100_000, windowMs: 60_000 } },
  );
});
afterEach(async () => {
  proxy.setRule(() => ({ kind: 'pass' }));
  await harness?.close();
  service?.close();
  harness = undefined;
});
afterAll(async () => {
  await closeBrowser();
  await signer.close();
  await proxy.close();
  admin.destroy();
});

/** A service whose engine talks to the test signer unless settings name another signer. */
async function open(options: { colorScheme?: 'light' | 'dark'; concurrency?: number } = {}) {
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-app-'));
  service = new HoistService({
    settings: new SettingsStore(join(stateDir, 'settings.json'), keychain),
    stateDir,
    createEngine: async (settings) =>
      new UploadEngine({
        signerUrl: settings.signerUrl || signer.url,
        token: settings.token ?? signer.tokens.alice,
        stateDir,
        concurrency: options.concurrency ?? 4,
        retry: { retries: 2, minDelayMs: 20, maxDelayMs: 50 },
        stallMs: 5000,
      }),
  });
  harness = await openRenderer(service, options);
  return harness;
}

const batchCard = (h: RendererHarness) => h.page.getByRole('listitem', { name: /^Batch / });

describe('the desktop window', () => {
  it('plans a folder, uploads it, and lets a person copy links and open the report', async () => {
    const files = {
      'a.txt': bytes(3000),
      'photos/b.jpg': bytes(200_000),
      'c.bin': bytes(10),
      'big.iso': bytes(3 * 1024 * 1024),
    };
    const folder = await makeFolder(files);
    const h = await open();
    await h.page.getByText('Add a folder to see its files here.').waitFor();
    await h.screenshot('01-empty');

    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const card = batchCard(h);
    await card.getByText('Ready to upload').waitFor();
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('3 files will upload');
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('1 rejected');
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('limit is 2097152');
    await h.screenshot('02-planned');

    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    await h.screenshot('03-done');

    const prefix = `users/alice/`;
    const keys = await listKeys(admin, bucket, prefix);
    for (const [path, body] of Object.entries(files).filter(([p]) => p !== 'big.iso')) {
      const key = keys.find((k) => k.endsWith(`/${path}`));
      expect(key, path).toBeDefined();
      expect(await objectMd5(admin, bucket, key!)).toBe(md5Hex(body));
    }
    await h.page.getByRole('tab', { name: /Failed/ }).click();
    await expect.poll(() => h.page.getByRole('row').count()).toBe(1);
    await expect.poll(() => h.page.getByRole('row').first().textContent()).toContain('big.iso');
    await h.page.getByRole('tab', { name: /Done/ }).click();
    await h.page.getByRole('button', { name: 'Copy link to a.txt' }).click();
    await expect.poll(() => h.copied.length).toBe(1);
    expect(h.copied[0]).toContain('/a.txt');
    expect(await (await fetch(h.copied[0]!)).arrayBuffer().then((b) => md5Hex(Buffer.from(b)))).toBe(
      md5Hex(files['a.txt']),
    );
    await card.getByRole('button', { name: 'Open report' }).click();
    await expect.poll(() => h.opened.length).toBe(1);
    expect(h.opened[0]).toMatch(/reports\/.+\.json$/u);
  });
});
