import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { sealingKeychain } from '../helpers/keychains';
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

const keychain = sealingKeychain();

beforeAll(async () => {
  bucket = await createTestBucket(s3);
  proxy = await startFaultProxy(s3.endpoint);
  signer = await startTestSigner(
    { ...s3, endpoint: proxy.url },
    {
      bucket,
      policy: { maxFileSize: 2 * 1024 * 1024 },
      rateLimit: { max: 100_000, windowMs: 60_000 },
      browseUrl: 'https://console.example.com/s3/buckets/{bucket}?prefix={path}',
    },
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

/** A service on `stateDir` whose engine talks to the test signer unless settings name another signer. */
function newService(stateDir: string, concurrency = 4): HoistService {
  return new HoistService({
    settings: new SettingsStore(join(stateDir, 'settings.json'), keychain),
    stateDir,
    createEngine: async (settings) =>
      new UploadEngine({
        signerUrl: settings.signerUrl || signer.url,
        token: settings.token ?? signer.tokens.alice,
        stateDir,
        concurrency,
        retry: { retries: 2, minDelayMs: 20, maxDelayMs: 50 },
        stallMs: 5000,
      }),
  });
}

/** The window over a new service, on a new state folder unless one is given. */
async function open(
  options: { colorScheme?: 'light' | 'dark'; concurrency?: number; locale?: string; stateDir?: string } = {},
) {
  service = newService(options.stateDir ?? (await mkdtemp(join(tmpdir(), 'hoist-app-'))), options.concurrency);
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
    await writeFile(join(folder, '.DS_Store'), 'Finder litter');
    const h = await open();
    await h.page.getByText('Add a folder to see its files here.').waitFor();
    await h.screenshot('01-empty');

    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const card = batchCard(h);
    await card.getByText('Ready to upload').waitFor();
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('3 files will upload');
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('1 rejected');
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('File is 3.1 MB; the limit is 2.1 MB');
    await expect.poll(() => card.getByLabel('Plan').textContent()).toContain('1 skipped');
    expect(await card.getByLabel('Why files are skipped').textContent()).toBe(
      '1 × Matches an ignore rule (e.g. .DS_Store)',
    );
    await h.screenshot('02-planned');
    // The action that moves the work forward stands out from the others: filled with the accent.
    const fill = (name: string) =>
      card.getByRole('button', { name, exact: true }).evaluate((button) => getComputedStyle(button).backgroundColor);
    expect(await fill('Upload')).not.toBe(await fill('Discard'));
    expect(await fill('Upload')).toBe('rgb(47, 111, 222)');

    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    await h.page.getByRole('status', { name: 'Overall progress' }).getByText('All done').waitFor();
    await h.screenshot('03-done');

    const prefix = `users/alice/`;
    const keys = await listKeys(admin, bucket, prefix);
    for (const [path, body] of Object.entries(files).filter(([p]) => p !== 'big.iso')) {
      const key = keys.find((k) => k.endsWith(`/${path}`));
      expect(key, path).toBeDefined();
      expect(await objectMd5(admin, bucket, key!)).toBe(md5Hex(body));
    }
    // Refused by the policy is not a failure: its own filter, words and colour, and the batch is done.
    await card.getByText('Done, 1 not allowed').waitFor();
    await h.page.getByRole('tab', { name: /Failed/ }).click();
    await expect.poll(() => h.page.getByRole('row').count()).toBe(0);
    await h.page.getByRole('tab', { name: /Not allowed/ }).click();
    await expect.poll(() => h.page.getByRole('row').count()).toBe(1);
    await expect.poll(() => h.page.getByRole('row').first().textContent()).toContain('big.iso');
    await expect.poll(() => h.page.getByRole('row').first().textContent()).toContain('Not allowed');
    expect(await card.getByRole('button', { name: 'Retry failed' }).count()).toBe(0);
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

  it('pauses and resumes a batch; nothing moves while paused', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p/${i}.bin`, bytes(20_000 + i)]));
    const folder = await makeFolder(files);
    proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 150 } : { kind: 'pass' }));
    const h = await open({ concurrency: 2 });
    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const card = batchCard(h);
    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    await card.getByText('Uploading').waitFor();
    // Each PUT is held 150 ms, two at a time: with the suites sharing two cores the first file can take
    // longer than expect.poll's default second to end.
    await expect
      .poll(() => h.page.getByRole('tab', { name: /Done/ }).textContent(), { timeout: 15_000 })
      .not.toMatch(/Done\s*0$/u);
    await expect.poll(() => card.textContent(), { timeout: 15_000 }).toMatch(/\d files\/s/u);
    await h.screenshot('04a-uploading-per-file');
    await h.page.getByRole('tab', { name: /Waiting/ }).click();
    await expect.poll(() => h.page.getByRole('button', { name: /^Pause p\// }).count()).toBeGreaterThan(0);
    await h.page.getByRole('tab', { name: /All/ }).click();
    await card.getByRole('button', { name: 'Pause', exact: true }).click();
    await card.getByText('Paused').waitFor();
    const done = async () =>
      Number((await h.page.getByRole('tab', { name: /Done/ }).textContent())!.replace(/\D/gu, ''));
    await new Promise((r) => setTimeout(r, 800)); // transfers already in flight finish
    const atPause = await done();
    // While the whole batch is paused, no row offers its own pause or cancel.
    await h.page.getByRole('tab', { name: /Waiting/ }).click();
    await expect.poll(() => h.page.getByRole('row').count()).toBeGreaterThan(0);
    expect(await h.page.getByRole('button', { name: /^(Pause|Cancel) p\// }).count()).toBe(0);
    await h.screenshot('04-paused');
    await h.page.getByRole('tab', { name: /All/ }).click();
    await new Promise((r) => setTimeout(r, 1500));
    expect(await done()).toBe(atPause);
    expect(atPause).toBeLessThan(40);
    await card.getByRole('button', { name: 'Resume', exact: true }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    expect(await done()).toBe(40);
    const keys = await listKeys(admin, bucket, 'users/alice/');
    for (const [path, body] of Object.entries(files)) {
      const key = keys.find((k) => k.endsWith(`/${path}`));
      expect(await objectMd5(admin, bucket, key!)).toBe(md5Hex(body));
    }
  });

  it('shows a failure with its reason, then "Retry failed" uploads it', async () => {
    const files = { 'ok-1.txt': bytes(100), 'flaky.txt': bytes(5000), 'ok-2.txt': bytes(200) };
    const folder = await makeFolder(files);
    proxy.setRule((req) =>
      isPresignedPut(req) && req.url!.includes('flaky.txt')
        ? {
            kind: 'status',
            status: 403,
            body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
          }
        : { kind: 'pass' },
    );
    const h = await open();
    h.picks.files = [folder];
    await h.page.getByRole('button', { name: 'Add files…' }).click();
    const card = batchCard(h);
    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    // Failures are not "Done" in green: the card and the header say so, in amber, with the count.
    await card.getByText('Done with problems: 1 failed').waitFor({ timeout: 30_000 });
    await h.page.getByRole('status', { name: 'Overall progress' }).getByText('Done with problems: 1 failed').waitFor();
    expect(await card.getByText('Done with problems: 1 failed').evaluate((e) => getComputedStyle(e).color)).toBe(
      'rgb(161, 92, 0)',
    );
    await expect.poll(() => card.textContent()).toContain('1 failed');
    await h.page.getByRole('tab', { name: /Failed/ }).click();
    const row = h.page.getByRole('row').first();
    await expect.poll(() => row.textContent()).toContain('flaky.txt');
    await expect.poll(() => row.textContent()).toContain('S3 refused the upload: 403 AccessDenied');
    await h.screenshot('05-failures');
    // The whole reason, to read or send on.
    await row.hover();
    await h.page.getByRole('button', { name: 'Copy details of flaky.txt' }).click();
    await expect.poll(() => h.copied.at(-1)).toMatch(/^flaky\.txt\nfailed: S3 refused the upload: 403 AccessDenied/u);

    proxy.setRule(() => ({ kind: 'pass' }));
    await card.getByRole('button', { name: 'Retry failed' }).click();
    await expect.poll(() => card.textContent(), { timeout: 30_000 }).toContain('0 failed');
    await card.getByText('Done').waitFor();
    await expect.poll(() => h.page.getByRole('tab', { name: /Failed/ }).textContent()).toMatch(/Failed\s*0$/u);
    const keys = await listKeys(admin, bucket, 'users/alice/');
    const key = keys.find((k) => k.endsWith('/flaky.txt'));
    expect(await objectMd5(admin, bucket, key!)).toBe(md5Hex(files['flaky.txt']));
  });

  it('says what to do when the signer is unreachable or refuses the token', async () => {
    const folder = await makeFolder({ 'a.txt': 'a' });
    const h = await open();
    const settings = async (signerUrl: string, token: string) => {
      await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
      const dialog = h.page.getByRole('dialog', { name: 'Settings' });
      await dialog.getByLabel(/Signer URL/).fill(signerUrl);
      await dialog.getByLabel(/Token/).fill(token);
      await dialog.getByRole('button', { name: 'Save' }).click();
      await dialog.waitFor({ state: 'detached' });
    };
    await settings('http://127.0.0.1:9', 'some-token');
    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const alert = batchCard(h).getByRole('alert');
    await expect.poll(() => alert.textContent(), { timeout: 20_000 }).toContain('unreachable');
    expect(await alert.textContent()).toContain('Check the signer URL in Settings');
    await h.screenshot('06-signer-unreachable');
    // Beside Try again, the way to fix it.
    await batchCard(h).getByRole('button', { name: 'Open Settings' }).click();
    await h.page.getByRole('dialog', { name: 'Settings' }).getByRole('button', { name: 'Cancel' }).click();
    await batchCard(h).getByRole('button', { name: 'Remove' }).click();

    await settings(signer.url, 'not-a-valid-token');
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    await expect
      .poll(() => batchCard(h).getByRole('alert').textContent(), { timeout: 20_000 })
      .toContain('The signer refused the token');
    const view = await service!.settings();
    expect(view).toMatchObject({ signerUrl: signer.url, hasToken: true, tokenStorage: 'encrypted' });
  });

  it('sets automatic connections, a manual proxy and an extra CA in Settings', async () => {
    const h = await open();
    await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Settings' });
    const connections = dialog.getByLabel(/Connections at once/);
    expect(await connections.inputValue()).toBe('');
    expect(await connections.getAttribute('placeholder')).toBe('automatic');
    expect(await dialog.getByLabel('Proxy URL').count()).toBe(0);
    await dialog.getByLabel('Connect through').selectOption('manual');
    await dialog.getByLabel('Proxy URL').fill('http://proxy.corp.example:3128');
    await dialog.getByLabel(/No proxy for/).fill('localhost, .internal.example');
    // The CA file comes only from main's file dialog: the field takes no typing.
    expect(await dialog.getByLabel(/Extra certificate authorities/).getAttribute('readonly')).not.toBeNull();
    h.picks.caFile = '/etc/hoist/company-ca.pem';
    await dialog.getByRole('button', { name: 'Browse…' }).click();
    await dialog.getByRole('button', { name: 'Clear' }).waitFor();
    await h.screenshot('10-settings-proxy');
    // In sections, with Save and Cancel in the window however short it is: the body scrolls instead.
    for (const height of [800, 560]) {
      await h.page.setViewportSize({ width: 1024, height });
      const save = await dialog.getByRole('button', { name: 'Save' }).boundingBox();
      expect(save!.y + save!.height, `Save at ${height} px high`).toBeLessThanOrEqual(height);
    }
    expect(await dialog.getByRole('heading', { level: 3 }).allTextContents()).toEqual([
      'Account',
      'Network',
      'Advanced',
    ]);
    // Check asks the saved signer who this is and what they may upload.
    await dialog.getByRole('button', { name: 'Check' }).click();
    const account = dialog.getByRole('list', { name: 'Your account' });
    await expect.poll(() => account.textContent()).toContain('Signed in as alice on the embedded local signer');
    expect(await account.textContent()).toContain('Files go to users/alice/');
    expect(await account.textContent()).toMatch(/up to 2\.1 MB a file/u);
    await h.screenshot('10c-settings-checked');
    await h.screenshot('10b-settings-560-high');
    await h.page.setViewportSize({ width: 1280, height: 800 });
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await service!.settings()).toMatchObject({
      concurrency: 'auto',
      proxy: { mode: 'manual', url: 'http://proxy.corp.example:3128', noProxy: 'localhost, .internal.example' },
      caFile: '/etc/hoist/company-ca.pem',
    });
    expect(h.confirms).toEqual([
      "Send Hoist's connections to the signer and the store through the proxy http://proxy.corp.example:3128?",
    ]);

    // A number pins the connections; back to the system proxy.
    await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await dialog.getByLabel(/Connections at once/).fill('12');
    expect(await dialog.getByLabel('Proxy URL').inputValue()).toBe('http://proxy.corp.example:3128');
    await dialog.getByLabel('Connect through').selectOption('system');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect(await service!.settings()).toMatchObject({ concurrency: 12, proxy: { mode: 'system' } });
  });

  it('brings back a batch the last session left unfinished, and resumes it from the window', async () => {
    const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`r/${i}.bin`, bytes(1000 + i)]));
    const folder = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-app-'));
    proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 100 } : { kind: 'pass' }));
    const first = newService(stateDir, 2);
    const [id] = first.addBatches([folder]);
    const view = () => first.snapshot().batches.find((b) => b.batchId === id);
    await expect.poll(() => view()?.phase, { timeout: 20_000 }).toBe('ready');
    first.control({ batchId: id!, action: 'start' });
    await expect.poll(() => view()?.progress?.files.uploaded ?? 0, { timeout: 20_000 }).toBeGreaterThanOrEqual(5);
    first.control({ batchId: id!, action: 'pause' });
    await new Promise((r) => setTimeout(r, 300));
    first.close();
    proxy.setRule(() => ({ kind: 'pass' }));

    // The next launch: the window lists the batch as interrupted, with what is done; Resume finishes it.
    const h = await open({ stateDir });
    await service!.restoreUnfinished();
    const card = batchCard(h);
    await card.getByText('Interrupted: resume to finish').waitFor();
    await expect.poll(() => h.page.getByRole('tab', { name: /Done/ }).textContent()).not.toMatch(/Done\s*0$/u);
    await h.screenshot('17-interrupted');
    await card.getByRole('button', { name: 'Resume', exact: true }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    await h.screenshot('18-resumed-done');
    expect(await listKeys(admin, bucket, `users/alice/${id}/`)).toHaveLength(20);
  });

  it('follows the dark theme and is usable from the keyboard', async () => {
    const folder = await makeFolder({ 'k.txt': 'keyboard' });
    const h = await open({ colorScheme: 'dark' });
    const background = await h.page.evaluate('getComputedStyle(document.body).backgroundColor');
    expect(background).toBe('rgb(23, 24, 27)');
    h.picks.folders = [folder];
    await h.page.keyboard.press('Tab'); // Settings
    await h.page.keyboard.press('Tab'); // Add folder…
    expect(await h.page.evaluate('document.activeElement.textContent')).toBe('Add folder…');
    await h.page.keyboard.press('Enter');
    const upload = batchCard(h).getByRole('button', { name: 'Upload', exact: true });
    await upload.waitFor();
    await h.page.setViewportSize({ width: 1024, height: 768 });
    await h.screenshot('07a-dark-planned-1024');
    await upload.focus();
    await h.page.keyboard.press('Enter');
    await batchCard(h).getByText('Done').waitFor({ timeout: 30_000 });
    await h.screenshot('07-dark-done');
    await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
    await h.page.getByRole('dialog', { name: 'Settings' }).waitFor();
    await h.screenshot('07b-dark-settings-1024');
  });

  it("writes numbers and sizes in the person's locale (de-DE)", async () => {
    const folder = await makeFolder(
      Object.fromEntries(Array.from({ length: 1250 }, (_, i) => [`f${i}.txt`, bytes(2)])),
    );
    const h = await open({ locale: 'de-DE' });
    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const plan = batchCard(h).getByLabel('Plan');
    await expect.poll(() => plan.textContent(), { timeout: 30_000 }).toContain('1.250 files will upload (2,5 kB)');
    await expect.poll(() => h.page.getByRole('tab', { name: /All/ }).textContent()).toMatch(/1\.250$/u);
    await h.screenshot('11-locale-de');
  });

  it('makes one batch of what is picked at once, uploads every ready batch with one click, and can start on its own', async () => {
    const parent = await makeFolder({
      'a.jpg': bytes(100),
      'b.jpg': bytes(200),
      'left-out.jpg': bytes(300),
      'raw/c.cr3': bytes(400),
    });
    const h = await open();
    h.picks.files = [join(parent, 'a.jpg'), join(parent, 'b.jpg'), join(parent, 'raw')];
    await h.page.getByRole('button', { name: 'Add files…' }).click();
    const cards = h.page.getByRole('listitem', { name: /^Batch / });
    await cards.first().getByText('Ready to upload').waitFor();
    expect(await cards.count()).toBe(1);
    await expect.poll(() => cards.first().textContent()).toContain('· 3 items');
    await expect.poll(() => cards.first().getByLabel('Plan').textContent()).toContain('3 files will upload');
    const other = await makeFolder({ 'd.txt': 'd' });
    h.picks.folders = [other];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    await expect.poll(() => h.page.getByText('Ready to upload').count()).toBe(2);
    await h.screenshot('12-two-ready-upload-all');
    await h.page.getByRole('button', { name: 'Upload all (2)' }).click();
    await expect.poll(() => h.page.getByText('All done').count(), { timeout: 30_000 }).toBe(1);
    const keys = await listKeys(admin, bucket, 'users/alice/');
    const picked = keys.filter((key) => key.includes(`/${basename(parent)}-`));
    expect(picked.map((key) => key.slice(key.indexOf('/', 'users/alice/'.length) + 1)).sort()).toEqual([
      'a.jpg',
      'b.jpg',
      'raw/c.cr3',
    ]);

    // With "start as soon as planned", no Upload click.
    await h.page.getByRole('button', { name: 'Settings', exact: true }).click();
    const dialog = h.page.getByRole('dialog', { name: 'Settings' });
    await dialog.getByLabel(/Start uploading as soon as a batch is planned/).check();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    h.picks.folders = [await makeFolder({ 'e.txt': 'e' })];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    await expect.poll(() => h.page.getByText('All done').count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(() => cards.count()).toBe(3);
  });

  it('takes folders dropped from the file manager', async () => {
    const folder = await makeFolder({ 'dropped.txt': 'dropped' });
    const h = await open();
    await h.page.evaluate(`window.__hoistDropPaths = { 'my-folder': ${JSON.stringify(folder)} }`);
    await h.page.evaluate(`(() => {
      const data = new DataTransfer();
      data.items.add(new File([''], 'my-folder'));
      const zone = document.querySelector('.drop');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
      window.__hoistDrop = () =>
        zone.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    })()`);
    // While something is dragged over it, the drop zone says it will take it.
    await h.page.locator('.drop-active').waitFor();
    await h.screenshot('16-drag-over');
    await h.page.evaluate('window.__hoistDrop()');
    const card = batchCard(h);
    await card.getByText('Ready to upload').waitFor();
    expect(await card.getByRole('button').first().getAttribute('title')).toBe(folder);
  });

  it('pauses, resumes and cancels single files', async () => {
    const files = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`s/${i}.txt`, bytes(100 + i)]));
    const folder = await makeFolder(files);
    proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 250 } : { kind: 'pass' }));
    const h = await open({ concurrency: 1 });
    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const card = batchCard(h);
    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    await card.getByText('Uploading').waitFor();
    // The last two rows in scan order are still waiting: hold one, cancel the other.
    const rows = h.page.getByRole('row');
    const held = (await rows.nth(9).locator('.cell-path').textContent())!;
    const dropped = (await rows.nth(8).locator('.cell-path').textContent())!;
    await h.page.getByRole('button', { name: `Pause ${held}` }).click();
    await h.page.getByRole('button', { name: `Cancel ${dropped}` }).click();
    await expect
      .poll(() => h.page.getByRole('tab', { name: /Done/ }).textContent(), { timeout: 30_000 })
      .toMatch(/Done\s*9$/u);
    await expect.poll(() => h.page.getByRole('tab', { name: /Uploading/ }).textContent()).toMatch(/Uploading\s*1$/u);
    expect(await card.getByText('Uploading').count()).toBe(1);
    await h.page.getByRole('button', { name: `Resume ${held}` }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    await h.page.getByRole('tab', { name: /All/ }).click();
    const cancelledRow = h.page.getByRole('row').filter({ hasText: dropped });
    await expect.poll(() => cancelledRow.textContent()).toContain('Cancelled by you');
    const keys = await listKeys(admin, bucket, 'users/alice/');
    expect(keys.some((k) => k.endsWith(`/${dropped}`))).toBe(false);
    const heldKey = keys.find((k) => k.endsWith(`/${held}`));
    expect(await objectMd5(admin, bucket, heldKey!)).toBe(md5Hex(files[held]!));
  });

  it('sends a folder to a destination, then settles what is already there and a conflict with one prompt', async () => {
    const files = { 'f10.txt': bytes(100), 'f2.txt': bytes(200), 'f1.txt': bytes(300), 'notes/a.txt': bytes(400) };
    const folder = await makeFolder(files);
    const h = await open();
    h.picks.folders = [folder];
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const card = batchCard(h);
    await card.getByText('Ready to upload').waitFor();
    const destination = card.getByLabel('Destination');
    await destination.fill('clients/acme/2026-12');
    await destination.press('Enter');
    await card.getByText('Ready to upload').waitFor();
    await h.screenshot('13-destination');
    await card.getByRole('button', { name: 'Upload', exact: true }).click();
    await card.getByText('Done').waitFor({ timeout: 30_000 });
    await expect.poll(() => card.textContent()).toContain('To clients/acme/2026-12');
    // Where the files went: copied as their folder in the bucket, opened in the signer's console page.
    await card.getByRole('button', { name: 'Copy where the files go' }).click();
    await expect.poll(() => h.copied.at(-1)).toBe('users/alice/clients/acme/2026-12/');
    await expect.poll(() => card.getByRole('button', { name: 'Copy where the files go' }).textContent()).toBe('Copied');
    await card.getByRole('button', { name: 'Open where the files go' }).click();
    await expect
      .poll(() => h.opened.at(-1))
      .toBe(`https://console.example.com/s3/buckets/${bucket}?prefix=users%2Falice%2Fclients%2Facme%2F2026-12%2F`);
    const keys = await listKeys(admin, bucket, 'users/alice/clients/acme/2026-12/');
    expect(keys.sort()).toEqual(
      Object.keys(files)
        .map((p) => `users/alice/clients/acme/2026-12/${p}`)
        .sort(),
    );

    // Rows in path order, as a file manager sorts numbers; the name filter narrows them.
    const paths = async () => (await h.page.getByRole('row').allTextContents()).map((t) => t.split(/\d/u)[0]);
    await expect.poll(paths).toEqual(['f', 'f', 'f', 'notes/a.txt']);
    expect(
      (await h.page.getByRole('row').allTextContents()).map((t) => /^(f\d+\.txt|notes\/a\.txt)/u.exec(t)?.[1]),
    ).toEqual(['f1.txt', 'f2.txt', 'f10.txt', 'notes/a.txt']);
    await h.page.getByLabel('Filter by name').fill('NOTES');
    await expect.poll(() => h.page.getByRole('row').count()).toBe(1);
    await h.page.getByLabel('Filter by name').fill('');
    await card.getByRole('button', { name: 'Remove' }).click();

    const changed = bytes(150);
    await import('node:fs/promises').then((fs) => fs.writeFile(join(folder, 'f2.txt'), changed));
    await h.page.getByRole('button', { name: 'Add folder…' }).click();
    const again = batchCard(h);
    await again.getByText('Ready to upload').waitFor();
    await expect
      .poll(() => again.locator('datalist option').evaluateAll((o) => o.map((e) => (e as HTMLOptionElement).value)))
      .toEqual(['clients/acme/2026-12']);
    await again.getByLabel('Destination').fill('clients/acme/2026-12');
    await again.getByLabel('Destination').press('Enter');
    await expect.poll(() => again.getByLabel('Plan').textContent()).toContain('3 already there');
    await expect.poll(() => again.getByLabel('Plan').textContent()).toContain('1 with a different version there');
    // Keys named inside the destination, in plain quotes.
    const conflictRow = await h.page.getByRole('row').filter({ hasText: 'Conflict' }).textContent();
    expect(conflictRow).toContain('A different file is at “f2.txt”: 200 B there, 150 B here');
    expect(conflictRow).not.toContain('users/alice');
    await again.getByRole('button', { name: 'Upload', exact: true }).click();
    const prompt = h.page.getByRole('dialog', { name: 'Files already at the destination' });
    await prompt.waitFor();
    await expect.poll(() => prompt.textContent()).toContain('f2.txt');
    // Both versions with their times, in the person's locale.
    const today = new Intl.DateTimeFormat('en-US', { dateStyle: 'medium' }).format(new Date());
    await expect.poll(() => prompt.textContent()).toContain(`On this computer150 B, changed ${today}`);
    await expect.poll(() => prompt.textContent()).toContain(`At the destination200 B, uploaded ${today}`);
    expect(await prompt.getByRole('radio', { name: /Replace them/ }).isDisabled()).toBe(true);
    await h.screenshot('14-conflict-prompt');
    await prompt.getByRole('radio', { name: /Keep both/ }).check();
    await prompt.getByRole('button', { name: 'Upload' }).click();
    await again.getByText('Done').waitFor({ timeout: 30_000 });
    await expect.poll(() => again.textContent()).toContain('4 / 4 files150 B / 150 B');
    const renamed = 'users/alice/clients/acme/2026-12/f2 (1).txt';
    expect(await objectMd5(admin, bucket, renamed)).toBe(md5Hex(changed));
    expect(await objectMd5(admin, bucket, 'users/alice/clients/acme/2026-12/f2.txt')).toBe(md5Hex(files['f2.txt']));
    await expect
      .poll(() => h.page.getByRole('row').allTextContents())
      .toContainEqual(expect.stringContaining('uploaded beside it as'));
    await h.screenshot('15-renamed');
  });
});
