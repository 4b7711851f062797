import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { appendFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BatchReport } from '../../src/shared/outcome';
import { objectMd5 } from '../helpers/bucket';
import { isPresignedPut } from '../helpers/fault-proxy';
import { faultEngine } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { useProxiedS3 } from '../helpers/proxied-s3';

// Batch and file control, with transfers slowed by a real HTTP proxy between the engine and S3.
const rig = useProxiedS3();

async function expectAllMatch(report: BatchReport, files: Record<string, Buffer>) {
  expect(report.counts).toEqual({ uploaded: Object.keys(files).length, skipped: 0, rejected: 0, failed: 0 });
  for (const file of report.files)
    expect(await objectMd5(rig.admin, rig.bucket, file.key!)).toBe(md5Hex(files[file.path]!));
}

const folderOf = (count: number, size: number) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${i}.bin`, bytes(size)]));

describe('control', () => {
  it('pauses and resumes: nothing starts while paused, everything finishes after', async () => {
    const signer = await rig.signer();
    const files = folderOf(20, 50_000);
    const root = await makeFolder(files);
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 30 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 2 });
    const batch = engine.batch(root);
    let done = 0;
    let pausedAt = -1;
    batch.on('file', () => {
      done += 1;
      if (done === 3) {
        batch.pause();
        pausedAt = rig.proxy.requests;
      }
    });
    const running = batch.run();
    await new Promise((resolve) => setTimeout(resolve, 100));
    while (pausedAt < 0) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(batch.progress().state).toBe('paused');
    const whilePaused = rig.proxy.requests - pausedAt;
    expect(whilePaused).toBeLessThanOrEqual(2);
    batch.resume();
    const report = await running;
    engine.close();
    await expectAllMatch(report, files);
  });

  it('cancels: in-flight and waiting files end as skipped "cancelled", none silently dropped', async () => {
    const signer = await rig.signer();
    const files = folderOf(10, 10_000);
    const root = await makeFolder(files);
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 200 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 2 });
    const batch = engine.batch(root);
    batch.once('file', () => batch.cancel());
    const report = await batch.run();
    engine.close();
    expect([...report.files]).toHaveLength(10);
    expect(report.counts.skipped).toBeGreaterThan(0);
    expect([...report.files].filter((f) => f.status === 'skipped').every((f) => f.code === 'cancelled')).toBe(true);
    expect(batch.progress().state).toBe('cancelled');
  });

  it('cancels at once under a tight bandwidth limit, without waiting for the limiter', async () => {
    const signer = await rig.signer();
    // 8 transfers share 64 KiB/s: each waits its turn for every 64 KiB, the last ~8 s behind.
    const files = folderOf(8, 300_000);
    const root = await makeFolder(files);
    rig.proxy.setRule(() => ({ kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 8, bandwidth: 64 * 1024 });
    const batch = engine.batch(root);
    const running = batch.run();
    while (batch.progress().files.active < 8) await new Promise((resolve) => setTimeout(resolve, 20));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cancelledAt = performance.now();
    batch.cancel();
    const report = await running;
    const tookMs = performance.now() - cancelledAt;
    engine.close();
    expect([...report.files]).toHaveLength(8);
    expect([...report.files].filter((f) => f.status !== 'uploaded').every((f) => f.code === 'cancelled')).toBe(true);
    expect(tookMs).toBeLessThan(1000);
  });

  it('cancels a multipart upload in flight, and aborts it on S3 so no parts are left behind', async () => {
    const MiB = 1024 * 1024;
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const root = await makeFolder({ 'big.bin': bytes(30 * MiB) });
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 300 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 2 });
    const batch = engine.batch(root);
    const running = batch.run();
    while (batch.progress().bytes.done < 6 * MiB) await new Promise((resolve) => setTimeout(resolve, 20));
    batch.cancel();
    const report = await running;
    engine.close();
    const [outcome] = report.files;
    expect(outcome).toMatchObject({ path: 'big.bin', code: 'cancelled' });
    const listed = await rig.admin.send(new ListMultipartUploadsCommand({ Bucket: rig.bucket, Prefix: outcome!.key }));
    expect(listed.Uploads ?? []).toEqual([]);
  });

  it('shares one budget of connections between files and parts, across batches', async () => {
    const MiB = 1024 * 1024;
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const small = folderOf(12, 20_000);
    const large = { 'large.bin': bytes(20 * MiB) };
    let inFlight = 0;
    let peak = 0;
    const sockets = new Set<unknown>();
    rig.proxy.setRule((req) => {
      if (!isPresignedPut(req)) return { kind: 'pass' };
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      sockets.add(req.socket);
      req.once('end', () => (inFlight -= 1));
      return { kind: 'delay', ms: 100 };
    });
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 3 });
    const reports = await Promise.all([
      engine.batch(await makeFolder(small)).run(),
      engine.batch(await makeFolder(large)).run(),
    ]);
    engine.close();
    expect(reports.map((r) => r.counts.uploaded)).toEqual([12, 1]);
    // 12 PUTs and 4 parts: never more than 3 at once, all over at most 3 kept-alive connections.
    expect(peak).toBe(3);
    expect(sockets.size).toBeLessThanOrEqual(3);
  });

  it('sends at most 4 parts of one file at once, and gives the rest of the budget to other files', async () => {
    const MiB = 1024 * 1024;
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const root = await makeFolder({ 'one.bin': bytes(40 * MiB), 'two.bin': bytes(40 * MiB) });
    const inFlight = new Map<string, number>();
    const peaks = new Map<string, number>();
    let all = 0;
    let peak = 0;
    rig.proxy.setRule((req) => {
      if (!isPresignedPut(req)) return { kind: 'pass' };
      const file = new URL(req.url!, 'http://x').pathname;
      inFlight.set(file, (inFlight.get(file) ?? 0) + 1);
      peaks.set(file, Math.max(peaks.get(file) ?? 0, inFlight.get(file)!));
      peak = Math.max(peak, (all += 1));
      req.once('end', () => {
        inFlight.set(file, inFlight.get(file)! - 1);
        all -= 1;
      });
      return { kind: 'delay', ms: 300 };
    });
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 8 });
    const report = await engine.batch(root).run();
    engine.close();
    expect(report.counts.uploaded).toBe(2);
    // 8 parts each, never more than 4 of one file at once; two files fill the budget of 8 between them.
    expect([...peaks.values()]).toEqual([4, 4]);
    expect(peak).toBe(8);
  });

  it('keeps a many-part upload within its listener limits: no leak warning', async () => {
    const MiB = 1024 * 1024;
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const root = await makeFolder({ 'parts.bin': bytes(80 * MiB) });
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 200 } : { kind: 'pass' }));
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 8, bandwidth: 64 * MiB });
      const report = await engine.batch(root).run();
      engine.close();
      expect(report.counts.uploaded).toBe(1);
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings).not.toContain('MaxListenersExceededWarning');
  });

  it('detects a file changed after it was scanned and reports it instead of uploading a mix', async () => {
    const signer = await rig.signer();
    // Files over 64 KiB are streamed, so the check runs when the PUT starts (smaller ones when they are read).
    const root = await makeFolder({ 'a.bin': bytes(100_000), 'b.bin': bytes(100_000) });
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 400 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    const running = batch.run();
    while (batch.progress().files.active === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const waiting = batch.progress().active[0]!.path === 'a.bin' ? 'b.bin' : 'a.bin';
    await appendFile(join(root, waiting), 'more');
    const report = await running;
    engine.close();
    expect([...report.files].find((f) => f.path === waiting)).toMatchObject({
      status: 'failed',
      code: 'changed-since-scan',
    });
    expect(report.counts.uploaded).toBe(1);
  });

  it('reports a file sent again in a resumed batch once, as it ended last (the desktop retry)', async () => {
    const signer = await rig.signer();
    const files = folderOf(8, 1000);
    const root = await makeFolder(files);
    rig.proxy.setRule(() => ({ kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    batch.cancelFile('f7.bin');
    expect((await batch.run()).counts).toMatchObject({ uploaded: 7, skipped: 1 });
    const journal = engine.journal(batch.id)!;
    journal.finished.delete('f7.bin');
    const report = await engine.resume(journal).run();
    engine.close();
    const outcomes = [...report.files];
    expect(outcomes.map((f) => f.path).sort()).toEqual(Object.keys(files).sort());
    expect(outcomes.find((f) => f.path === 'f7.bin')).toMatchObject({ status: 'uploaded' });
    await expectAllMatch(report, files);
  });

  it('sends a small file from the bytes it hashed, not from the disk again', async () => {
    const signer = await rig.signer();
    const files = { 'a.bin': bytes(1000), 'b.bin': bytes(1000) };
    const root = await makeFolder(files);
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 400 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 1 });
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

  it('never signs or sends a file cancelled before its turn', async () => {
    const signer = await rig.signer();
    const root = await makeFolder(folderOf(8, 1000));
    const puts: string[] = [];
    rig.proxy.setRule((req) => {
      if (isPresignedPut(req)) puts.push(decodeURIComponent(req.url ?? ''));
      return { kind: 'pass' };
    });
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 1 });
    const batch = engine.batch(root);
    batch.cancelFile('f7.bin');
    const report = await batch.run();
    engine.close();
    expect([...report.files].find((f) => f.path === 'f7.bin')).toEqual({
      path: 'f7.bin',
      status: 'skipped',
      size: 1000,
      code: 'cancelled',
      reason: 'Cancelled by you',
    });
    expect(report.counts).toEqual({ uploaded: 7, skipped: 1, rejected: 0, failed: 0 });
    expect(puts).toHaveLength(7);
    expect(puts.some((url) => url.includes('f7.bin'))).toBe(false);
  });

  it('pauses, resumes and cancels single files', async () => {
    const signer = await rig.signer();
    const files = folderOf(6, 20_000);
    const root = await makeFolder(files);
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 50 } : { kind: 'pass' }));
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 1 });
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
    expect([...report.files].find((f) => f.path === 'f4.bin')?.status).toBe('uploaded');
    expect([...report.files].find((f) => f.path === 'f5.bin')).toMatchObject({ status: 'skipped', code: 'cancelled' });
  });
});
