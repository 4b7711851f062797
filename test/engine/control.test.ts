import { appendFile, mkdtemp, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/main/engine';
import { objectMd5 } from '../helpers/bucket';
import { isPresignedPut, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient, createTestBucket } from '../helpers/test-s3';

// Batch and file control, with transfers slowed by a real HTTP proxy between the engine and S3.
const s3 = inject('s3');
const admin = adminClient(s3);
let bucket: string;
let s3Proxy: FaultProxy;
const started: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  bucket = await createTestBucket(s3);
  s3Proxy = await startFaultProxy(s3.endpoint);
});
afterEach(() => s3Proxy.setRule(() => ({ kind: 'pass' })));
afterAll(async () => {
  for (const s of started) await s.close();
  await s3Proxy.close();
  admin.destroy();
});

async function signerVia(options: Parameters<typeof startTestSigner>[1] = {}): Promise<TestSigner> {
  const signer = await startTestSigner({ ...s3, endpoint: s3Proxy.url }, { bucket, ...options });
  started.push(signer);
  return signer;
}

async function engineFor(
  signerUrl: string,
  token: string,
  extra: Partial<ConstructorParameters<typeof UploadEngine>[0]> = {},
) {
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-state-'));
  return new UploadEngine({
    signerUrl,
    token,
    stateDir,
    concurrency: 4,
    retry: { retries: 5, minDelayMs: 20, maxDelayMs: 100 },
    stallMs: 2000,
    ...extra,
  });
}

async function expectAllMatch(
  report: Awaited<ReturnType<ReturnType<UploadEngine['batch']>['run']>>,
  files: Record<string, Buffer>,
) {
  expect(report.counts).toEqual({ uploaded: Object.keys(files).length, skipped: 0, failed: 0 });
  for (const file of report.files) expect(await objectMd5(admin, bucket, file.key!)).toBe(md5Hex(files[file.path]!));
}

const folderOf = (count: number, size: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}.bin`, bytes(size)]));

describe('control', () => {
  it('pauses and resumes: nothing starts while paused, everything finishes after', async () => {
    const signer = await signerVia();
    const files = folderOf(20, 50_000);
    const root = await makeFolder(files);
    s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 30 } : { kind: 'pass' }));
    const engine = await engineFor(signer.url, signer.tokens.alice, { concurrency: 2 });
    const batch = engine.batch(root);
    let done = 0;
    let pausedAt = -1;
    batch.on('file', () => {
      done += 1;
      if (done === 3) {
        batch.pause();
        pausedAt = s3Proxy.requests;
      }
    });
    const running = batch.run();
    await new Promise((resolve) => setTimeout(resolve, 100));
    while (pausedAt < 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(batch.progress().state).toBe('paused');
    const whilePaused = s3Proxy.requests - pausedAt;
    expect(whilePaused).toBeLessThanOrEqual(2);
    batch.resume();
    const report = await running;
    engine.close();
    await expectAllMatch(report, files);
  });

  it('cancels: in-flight and waiting files end as skipped "cancelled", none silently dropped', async () => {
    const signer = await signerVia();
    const files = folderOf(10, 10_000);
    const root = await makeFolder(files);
    s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 200 } : { kind: 'pass' }));
    const engine = await engineFor(signer.url, signer.tokens.alice, { concurrency: 2 });
    const batch = engine.batch(root);
    batch.once('file', () => batch.cancel());
    const report = await batch.run();
    engine.close();
    expect(report.files).toHaveLength(10);
    expect(report.counts.skipped).toBeGreaterThan(0);
    expect(report.files.filter((f) => f.status === 'skipped').every((f) => f.code === 'cancelled')).toBe(true);
    expect(batch.progress().state).toBe('cancelled');
  });

  it('detects a file changed after it was scanned and reports it instead of uploading a mix', async () => {
    const signer = await signerVia();
    // Files over 64 KiB are streamed, so the check runs when the PUT starts (smaller ones when they are read).
    const root = await makeFolder({ 'a.bin': bytes(100_000), 'b.bin': bytes(100_000) });
    s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 400 } : { kind: 'pass' }));
    const engine = await engineFor(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    const running = batch.run();
    while (batch.progress().files.active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = batch.progress().active[0]!.path === 'a.bin' ? 'b.bin' : 'a.bin';
    await appendFile(join(root, waiting), 'more');
    const report = await running;
    engine.close();
    expect(report.files.find((f) => f.path === waiting)).toMatchObject({
      status: 'failed',
      code: 'changed-since-scan',
    });
    expect(report.counts.uploaded).toBe(1);
  });

  it('sends a small file from the bytes it hashed, not from the disk again', async () => {
    const signer = await signerVia();
    const files = { 'a.bin': bytes(1000), 'b.bin': bytes(1000) };
    const root = await makeFolder(files);
    s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 400 } : { kind: 'pass' }));
    const engine = await engineFor(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    const running = batch.run();
    while (batch.progress().files.active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    // The next group is read and hashed while the first PUT is held (400 ms): give it 100 ms, then delete
    // the waiting file. It goes from the bytes in memory.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiting = batch.progress().active[0]!.path === 'a.bin' ? 'b.bin' : 'a.bin';
    await unlink(join(root, waiting));
    const report = await running;
    engine.close();
    await expectAllMatch(report, files);
  });

  it('pauses, resumes and cancels single files', async () => {
    const signer = await signerVia();
    const files = folderOf(6, 20_000);
    const root = await makeFolder(files);
    s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 50 } : { kind: 'pass' }));
    const engine = await engineFor(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    batch.pauseFile('f4.bin');
    batch.pauseFile('f5.bin');
    const order: string[] = [];
    batch.on('file', (f) => {
      order.push(f.path);
      if (order.length === 4) {
        batch.cancelFile('f5.bin');
        batch.resumeFile('f4.bin');
      }
    });
    const report = await batch.run();
    engine.close();
    expect(order.slice(0, 4).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin', 'f3.bin']);
    expect(report.files.find((f) => f.path === 'f4.bin')?.status).toBe('uploaded');
    expect(report.files.find((f) => f.path === 'f5.bin')).toMatchObject({ status: 'skipped', code: 'cancelled' });
  });
});
