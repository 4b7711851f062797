import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_RETRY } from '../../src/engine/transfer/retry';
import { isPresignedPut, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { expectNothingLost, faultEngine } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient, createTestBucket } from '../helpers/test-s3';

// Long outages: the signer process gone for 30 s, and the whole machine "asleep" (no traffic at all)
// for longer than the URLs live.
const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
const OUTAGE_MS = 30_000;
let bucket: string;
let s3Proxy: FaultProxy;

beforeAll(async () => {
  bucket = await createTestBucket(s3);
  s3Proxy = await startFaultProxy(s3.endpoint);
});
afterAll(async () => {
  await s3Proxy.close();
  admin.destroy();
});

const folderOf = (count: number, size: number, prefix: string) =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}/${i}.bin`, bytes(size)]));

describe('outages', () => {
  it(
    'finishes every file when the signer is down for 30 s, then back',
    async () => {
      const tokens = { alice: `alice-${randomBytes(8).toString('hex')}`, bob: `bob-${randomBytes(8).toString('hex')}` };
      const common = {
        bucket,
        tokens,
        tokenSecret: randomBytes(32).toString('hex'),
        policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
      };
      let signer: TestSigner = await startTestSigner({ ...s3, endpoint: s3Proxy.url }, common);
      const port = Number(new URL(signer.url).port);
      const files = { ...folderOf(40, 50_000, 'outage'), 'outage/big.bin': bytes(12 * MiB) };
      const root = await makeFolder(files);
      s3Proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 150 } : { kind: 'pass' }));
      // Real retry settings: the backoff must outlast the outage by itself.
      const engine = await faultEngine(signer.url, tokens.alice, {
        concurrency: 2,
        signBatchSize: 5,
        retry: DEFAULT_RETRY,
      });
      const batch = engine.batch(root);
      let finished = 0;
      let unfinishedAtOutage = 0;
      let back: Promise<void> | undefined;
      batch.on('file', () => {
        finished += 1;
        if (finished !== 5) return;
        unfinishedAtOutage = Object.keys(files).length - finished;
        back = (async () => {
          await signer.close();
          await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
          signer = await startTestSigner({ ...s3, endpoint: s3Proxy.url }, { ...common, port });
        })();
      });
      const startedAt = Date.now();
      const report = await batch.run();
      await back;
      engine.close();
      s3Proxy.setRule(() => ({ kind: 'pass' }));
      await signer.close();
      expect(Date.now() - startedAt).toBeGreaterThan(OUTAGE_MS);
      expect(report.counts).toEqual({ uploaded: 41, skipped: 0, rejected: 0, failed: 0 });
      const counts = { injected: 1, filesAffected: unfinishedAtOutage };
      await expectNothingLost('signer down for 30 s', counts, admin, bucket, report, files);
    },
    OUTAGE_MS + 60_000,
  );

  it('finishes every file after the machine "sleeps" longer than the URLs live', async () => {
    const signer = await startTestSigner(
      { ...s3, endpoint: s3Proxy.url },
      // URLs live 3 s (2-3 s once X-Amz-Date's whole seconds are counted): less than the 5 s sleep, and
      // enough for a re-signed one to reach a busy S3.
      { bucket, policy: { putUrlTtlSeconds: 3, multipartThreshold: 5 * MiB, partSize: 5 * MiB } },
    );
    const signerProxy = await startFaultProxy(signer.url);
    const files = { ...folderOf(30, 200_000, 'sleep'), 'sleep/big.bin': bytes(12 * MiB) };
    const root = await makeFolder(files);
    const engine = await faultEngine(signerProxy.url, signer.tokens.alice, {
      bandwidth: 4_000_000,
      stallMs: 1000,
      retry: { retries: 10, minDelayMs: 200, maxDelayMs: 1000 },
    });
    const batch = engine.batch(root);
    let slept = false;
    let unfinishedAtSleep = 0;
    batch.on('progress', (p) => {
      if (slept || p.bytes.done < 4 * MiB) return;
      slept = true;
      unfinishedAtSleep =
        Object.keys(files).length - (p.files.uploaded + p.files.skipped + p.files.rejected + p.files.failed);
      s3Proxy.freeze(5000);
      signerProxy.freeze(5000);
    });
    const report = await batch.run();
    engine.close();
    await signerProxy.close();
    await signer.close();
    expect(slept).toBe(true);
    expect(report.counts).toEqual({ uploaded: 31, skipped: 0, rejected: 0, failed: 0 });
    // One sign request covers all 31 files; URLs that expired during the sleep were signed again.
    const resigned = signer.logs.filter((l) => l.route === '/v1/batches/sign' || l.route === '/v1/multipart/parts');
    expect(resigned.length).toBeGreaterThan(3);
    const counts = { injected: 1, filesAffected: unfinishedAtSleep };
    await expectNothingLost('machine asleep past URL lifetime', counts, admin, bucket, report, files);
  });
});
