import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isPresignedPut, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { assessDamage, countFaults, expectNothingLost, faultEngine, seededRandom } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { useProxiedS3 } from '../helpers/proxied-s3';

// Faults injected by a real HTTP proxy between the engine and S3 (the signer signs URLs for the proxy's
// address, and Ceph still verifies every signature) and between the engine and the signer.
const rig = useProxiedS3();
const { admin } = rig;
const MiB = 1024 * 1024;

const folderOf = (count: number, size: number, prefix = 'f') =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}${i}.bin`, bytes(size)]));
const keyOf = (url: string | undefined) => (url ?? '').split('?')[0]!;

/** Applies `fault` to the first attempt of each object's PUT (each part counts apart), then passes. */
function firstAttempts(fault: (n: number, req: IncomingMessage) => ReturnType<Parameters<FaultProxy['setRule']>[0]>) {
  const seen = new Set<string>();
  let n = 0;
  return countFaults((req) => {
    const id = `${keyOf(req.url)}#${/partNumber=(\d+)/u.exec(req.url ?? '')?.[1] ?? ''}`;
    if (!isPresignedPut(req) || seen.has(id)) return { kind: 'pass' };
    seen.add(id);
    return fault(n++, req);
  });
}

describe('faults between the engine and S3', () => {
  it('survives connections reset mid-body at random points', async () => {
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const files = { ...folderOf(16, 300_000, 'r'), 'big.bin': bytes(12 * MiB) };
    const root = await makeFolder(files);
    const random = seededRandom(20261129);
    const faults = firstAttempts(() => ({ kind: 'reset', afterBytes: Math.floor(random() * 290_000) }));
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost('S3 connection reset mid-body', counts, admin, rig.bucket, report, files);
    expect(report.counts.uploaded).toBe(17);
  });

  it.each([
    ['S3 500 InternalError', { kind: 'status', status: 500, body: '<Error><Code>InternalError</Code></Error>' }],
    [
      'S3 503 SlowDown with Retry-After',
      { kind: 'status', status: 503, body: '<Error><Code>SlowDown</Code></Error>', headers: { 'retry-after': '1' } },
    ],
    [
      'S3 503 SlowDown without Retry-After',
      { kind: 'status', status: 503, body: '<Error><Code>SlowDown</Code></Error>' },
    ],
  ] as const)('survives %s', async (fault, action) => {
    const signer = await rig.signer();
    const files = folderOf(8, 100_000, fault.replace(/\W+/gu, '-'));
    const root = await makeFolder(files);
    const faults = firstAttempts(() => action);
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost(fault, counts, admin, rig.bucket, report, files);
    expect(report.counts.uploaded).toBe(8);
    expect(counts.injected).toBe(8);
  });

  it('waits as long as Retry-After asks before trying again', async () => {
    const signer = await rig.signer();
    const files = folderOf(3, 1000, 'retry-after');
    const root = await makeFolder(files);
    const attempts = new Map<string, number[]>();
    rig.proxy.setRule((req) => {
      if (!isPresignedPut(req)) return { kind: 'pass' };
      const times = attempts.get(keyOf(req.url)) ?? [];
      attempts.set(keyOf(req.url), [...times, performance.now()]);
      return times.length
        ? { kind: 'pass' }
        : {
            kind: 'status',
            status: 503,
            body: '<Error><Code>SlowDown</Code></Error>',
            headers: { 'retry-after': '2' },
          };
    });
    // The engine's own backoff here is 20-100 ms: only Retry-After can make it wait 2 s.
    const engine = await faultEngine(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    expect(report.counts.uploaded).toBe(3);
    for (const [first, second] of attempts.values()) expect(second! - first!).toBeGreaterThanOrEqual(1900);
  });

  it('fails a file whose ETag from S3 is not its MD5, whole or in parts, and says so', async () => {
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    const files = { 'single.bin': bytes(100_000), 'parts.bin': bytes(80 * MiB) };
    const root = await makeFolder(files);
    const wrong = '"00000000000000000000000000000000"';
    const faults = firstAttempts(() => ({ kind: 'etag', etag: wrong }));
    let partPuts = 0;
    rig.proxy.setRule((req, index, res) => {
      if (isPresignedPut(req) && (req.url ?? '').includes('partNumber=')) partPuts += 1;
      return faults.rule(req, index, res);
    });
    const engine = await faultEngine(signer.url, signer.tokens.alice, { concurrency: 2 });
    const report = await engine.batch(root).run();
    engine.close();
    const outcome = (path: string) => [...report.files].find((f) => f.path === path);
    expect(outcome('single.bin')).toMatchObject({ status: 'failed', code: 'etag-mismatch' });
    expect(outcome('single.bin')!.reason).toContain(`S3 returned ETag ${wrong}`);
    expect(outcome('parts.bin')).toMatchObject({ status: 'failed', code: 'etag-mismatch' });
    // Once a part fails, no more of the 16 parts are queued: only those already on their way are sent.
    expect(partPuts).toBeLessThanOrEqual(6);
    // The multipart upload can never complete with a part S3 may have stored wrong: it is aborted.
    const listed = await admin.send(
      new ListMultipartUploadsCommand({ Bucket: rig.bucket, Prefix: outcome('parts.bin')!.key }),
    );
    expect(listed.Uploads ?? []).toEqual([]);
  });

  it('sends again what a faulty link damaged (BadDigest, the file unchanged), in one PUT or in parts', async () => {
    const signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
    // In memory (read whole at hash time), streamed from disk, and in three parts.
    const files = { 'small.bin': bytes(40_000), 'streamed.bin': bytes(3 * MiB), 'parts.bin': bytes(12 * MiB + 5) };
    const root = await makeFolder(files);
    const random = seededRandom(20261203);
    const faults = firstAttempts(() => ({ kind: 'corrupt', at: Math.floor(random() * 40_000) }));
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost('bytes damaged on the way (BadDigest)', counts, admin, rig.bucket, report, files);
    const outcome = (path: string) => [...report.files].find((f) => f.path === path);
    expect(outcome('small.bin')).toMatchObject({ status: 'uploaded', damagedInTransit: 1 });
    expect(outcome('streamed.bin')).toMatchObject({ status: 'uploaded', damagedInTransit: 1 });
    expect(outcome('parts.bin')).toMatchObject({ status: 'uploaded', damagedInTransit: 3 });
    expect(counts.injected).toBe(5);
  });

  it('aborts and retries a transfer that stalls', async () => {
    const signer = await rig.signer();
    const files = folderOf(4, 100_000, 'stall');
    const root = await makeFolder(files);
    const faults = firstAttempts((n) => (n < 2 ? { kind: 'hang' } : { kind: 'pass' }));
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice, { stallMs: 500 });
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost('S3 stalls (no bytes move)', counts, admin, rig.bucket, report, files);
    expect(report.counts.uploaded).toBe(4);
  });

  it('does not count waiting for the bandwidth limit as a stall', async () => {
    const signer = await rig.signer();
    // 8 transfers at once share 256 KiB/s, so each waits several seconds for its turn to send: far over
    // the 1 s stall timeout, though the network never stalls.
    const files = folderOf(8, 300_000, 'limited');
    const root = await makeFolder(files);
    const attempts = new Map<string, number>();
    rig.proxy.setRule((req) => {
      if (isPresignedPut(req)) attempts.set(keyOf(req.url), (attempts.get(keyOf(req.url)) ?? 0) + 1);
      return { kind: 'pass' };
    });
    const engine = await faultEngine(signer.url, signer.tokens.alice, {
      concurrency: 8,
      bandwidth: 256 * 1024,
      stallMs: 1000,
    });
    const report = await engine.batch(root).run();
    engine.close();
    expect(await assessDamage(admin, rig.bucket, report, files)).toEqual({ lost: [], corrupted: [] });
    expect(report.counts.uploaded).toBe(8);
    expect([...attempts.values()]).toEqual(Array.from({ length: 8 }, () => 1));
  });

  it('signs again when URLs expire while they wait, and never counts it as a failure', async () => {
    // Each file's first PUT is held 4 s against a 3 s URL life (stalls at 5 s, so the hold is not torn
    // down first); the re-signed URL then has 2-3 s to reach S3, not the 0-1 s a 1 s life would leave.
    const signer = await rig.signer({ policy: { putUrlTtlSeconds: 3 } });
    const files = folderOf(3, 1000, 'queued');
    const root = await makeFolder(files);
    const faults = firstAttempts(() => ({ kind: 'delay', ms: 4000 }));
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice, { stallMs: 5000 });
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost('URL expired while queued', counts, admin, rig.bucket, report, files);
    expect(report.counts.uploaded).toBe(3);
    expect(signer.logs.filter((l) => l.route === '/v1/batches/sign').length).toBeGreaterThanOrEqual(4);
  });

  it('signs parts again when their URLs expire while they are in flight', async () => {
    // Each part's first PUT reaches S3 only after its URL has expired (held 5 s against a 4 s life, and
    // not torn down as stalled first, at 8 s); the re-signed URL then has 3-4 s to reach S3, since
    // X-Amz-Date counts whole seconds. With a 2 s life, a busy Ceph once took longer than that five times
    // running.
    const signer = await rig.signer({
      policy: { putUrlTtlSeconds: 4, multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    });
    const files = { 'parts.bin': bytes(16 * MiB) };
    const root = await makeFolder(files);
    // Each held PUT is refused by S3 (its URL expired), and the proxy is left holding the rest of its body,
    // as a plain intermediary would: a PUT sent later on that connection would sit unread. The last part,
    // 1 MiB, is all sent before its answer and is refused first, so the next PUT would find its connection.
    const faults = firstAttempts((_, req) => ({ kind: 'delay', ms: req.url?.includes('partNumber=4&') ? 4500 : 5000 }));
    rig.proxy.setRule(faults.rule);
    const retried: string[] = [];
    const engine = await faultEngine(signer.url, signer.tokens.alice, {
      stallMs: 8000,
      retry: { retries: 5, minDelayMs: 20, maxDelayMs: 100, onRetry: (error) => retried.push(error.code) },
    });
    const report = await engine.batch(root).run();
    engine.close();
    const counts = { injected: faults.injected(), filesAffected: faults.affected() };
    await expectNothingLost('part URL expired in flight', counts, admin, rig.bucket, report, files);
    expect([...report.files][0]).toMatchObject({ status: 'uploaded' });
    expect(counts.injected).toBe(4);
    expect(retried).toEqual([]);
    expect(signer.logs.filter((l) => l.route === '/v1/multipart/parts').length).toBeGreaterThanOrEqual(5);
  });

  it("fails a file at once on a 4xx that cannot succeed, with S3's code", async () => {
    const signer = await rig.signer();
    const files = { 'a.bin': bytes(10) };
    const root = await makeFolder(files);
    const faults = countFaults((req) =>
      isPresignedPut(req)
        ? { kind: 'status', status: 400, body: '<Error><Code>InvalidArgument</Code></Error>' }
        : { kind: 'pass' },
    );
    rig.proxy.setRule(faults.rule);
    const engine = await faultEngine(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    expect(faults.injected()).toBe(1);
    expect([...report.files][0]).toMatchObject({ status: 'failed', code: 'InvalidArgument' });
    expect([...report.files][0]!.reason).toContain('400 InvalidArgument');
    const counts = { injected: 1, filesAffected: 1 };
    await expectNothingLost('S3 400 (cannot succeed)', counts, admin, rig.bucket, report, files);
  });
});

describe('faults between the engine and the signer', () => {
  it('rides out a signer that answers 503 and drops connections for a while', async () => {
    const signer = await rig.signer();
    const faults = countFaults((_req, i) =>
      i < 3
        ? { kind: 'status', status: 503, headers: { 'retry-after': '0' } }
        : i < 5
          ? { kind: 'reset', afterBytes: 0 }
          : { kind: 'pass' },
    );
    const signerProxy = await startFaultProxy(signer.url, faults.rule);
    const files = folderOf(3, 1000, 'signer');
    const root = await makeFolder(files);
    const engine = await faultEngine(signerProxy.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    await signerProxy.close();
    const counts = { injected: faults.injected(), filesAffected: 3 };
    await expectNothingLost('signer 503 and dropped connections', counts, admin, rig.bucket, report, files);
    expect(report.counts.uploaded).toBe(3);
  });
});
