import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UploadEngine } from '../../src/engine';
import { recordFault } from '../helpers/fault-ledger';
import { makeFolder } from '../helpers/folders';
import { waitFor } from '../helpers/net';
import { startTestRedis, type TestRedis } from '../helpers/redis';
import { callSigner, startTestSigner, type TestSigner, type TestSignerOptions } from '../helpers/signer';

const s3 = inject('s3');
const EMPTY_MD5 = '1B2M2Y8AsgTpgAmY7PhCfg==';

const files = (names: string[], sizes: number[]) =>
  names.map((path, i) => ({ path, size: sizes[i] ?? 0, type: 'text/plain', md5: EMPTY_MD5 }));

const sign = (signer: TestSigner, batch: string, names: string[], sizes: number[] = [], token = signer.tokens.alice) =>
  callSigner(signer.url, token, 'POST', '/v1/batches/sign', { batch, files: files(names, sizes) });

/** Two signer replicas on one bucket and one Redis, as behind a load balancer. */
async function replicas(redis: TestRedis, options: TestSignerOptions): Promise<[TestSigner, TestSigner]> {
  const a = await startTestSigner(s3, { ...options, redis: { ...options.redis, url: redis.url } });
  const b = await startTestSigner(s3, {
    ...options,
    redis: { ...options.redis, url: redis.url },
    bucket: a.bucket,
    tokens: a.tokens,
    tokenSecret: a.config.tokenSecret,
  });
  return [a, b];
}

describe('limits and quotas shared by two replicas through Redis', () => {
  let redis: TestRedis;
  let a: TestSigner;
  let b: TestSigner;

  beforeAll(async () => {
    redis = await startTestRedis();
    [a, b] = await replicas(redis, {
      rateLimit: { max: 12, windowMs: 60_000 },
      quotas: { filesPerDay: 5, filesPerBatch: 4 },
      userSettings: { bob: { quotas: { bytesPerDay: 1_000_000, filesPerDay: 100 } } },
    });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
  });

  it('holds one file quota across both replicas, and says what is left and when it resets', async () => {
    expect((await sign(a, 'q1', ['1', '2', '3'])).json.files.map((f: any) => f.status)).toEqual(['put', 'put', 'put']);
    const second = await sign(b, 'q2', ['4', '5', '6']);
    expect(second.json.files.map((f: any) => f.status)).toEqual(['put', 'put', 'error']);
    expect(second.json.files[2]).toMatchObject({ code: 'quota-exceeded' });
    expect(second.json.files[2].message).toMatch(
      /^Quota `filesPerDay` \(5 files a day\): 0 files left; it resets at \d{4}-\d\d-\d\dT[\d:.]+Z$/u,
    );
    const policy = await callSigner(a.url, a.tokens.alice, 'GET', '/v1/policy');
    expect(policy.json.quotas).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'filesPerDay', limit: 5, remaining: 0, description: '5 files a day' }),
      ]),
    );
    recordFault({
      abuse: 'daily file quota split across two replicas',
      attempts: 1,
      refused: 1,
      by: 'Redis-counted quota',
    });
  });

  it("holds a user's own byte quota and files per batch across both replicas", async () => {
    const first = await sign(a, 'big', ['a', 'b'], [300_000, 300_000], a.tokens.bob);
    expect(first.json.files.map((f: any) => f.status)).toEqual(['put', 'put']);
    const second = await sign(b, 'big', ['c', 'd', 'e'], [300_000, 300_000, 1], b.tokens.bob);
    expect(second.json.files.map((f: any) => f.code ?? f.status)).toEqual(['put', 'quota-exceeded', 'put']);
    expect(second.json.files[1].message).toMatch(
      /^Quota `bytesPerDay` \(1\.0 MB a day\): 100 kB left, and this file is 300 kB; it resets at /u,
    );
    const third = await sign(a, 'big', ['f'], [1], a.tokens.bob);
    expect(third.json.files[0]).toMatchObject({
      code: 'quota-exceeded',
      message: 'Quota `filesPerBatch` (4 files a batch): 0 files left for batch `big`',
    });
    expect((await sign(a, 'other', ['f'], [1], a.tokens.bob)).json.files[0].status).toBe('put');
    const policy = await callSigner(b.url, b.tokens.bob, 'GET', '/v1/policy');
    expect(policy.json.quotas.find((q: any) => q.name === 'bytesPerDay')).toMatchObject({
      limit: 1_000_000,
      remaining: 99_998,
    });
  });

  it('holds one request limit across both replicas', async () => {
    const token = a.tokens.bob;
    const statuses: number[] = [];
    for (let i = 0; i < 16; i++) {
      statuses.push((await callSigner(i % 2 ? b.url : a.url, token, 'GET', '/v1/policy')).status);
    }
    // Bob already made 5 requests above; 12 a minute for both replicas together.
    expect(statuses.filter((s) => s === 200)).toHaveLength(7);
    expect(statuses.slice(7).every((s) => s === 429)).toBe(true);
  });
});

describe('metrics', () => {
  it('serves requests, signed files and bytes, refusals by reason and latency in the Prometheus format, behind its token', async () => {
    const signer = await startTestSigner(s3, {
      quotas: { filesPerDay: 2 },
      metricsTokenSha256: 'c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646',
    });
    try {
      await sign(signer, 'm1', ['a', 'b', 'c'], [10, 20, 30]);
      await callSigner(signer.url, 'not-a-token', 'GET', '/v1/policy');
      expect((await callSigner(signer.url, undefined, 'GET', '/metrics')).status).toBe(401);
      const res = await fetch(`${signer.url}/metrics`, { headers: { authorization: 'Bearer 1234567890' } });
      expect(res.headers.get('content-type')).toContain('text/plain');
      const text = await res.text();
      expect(text).toContain('hoist_signer_signed_files_total{kind="put"} 2');
      expect(text).toContain('hoist_signer_signed_bytes_total 30');
      expect(text).toContain('hoist_signer_refusals_total{reason="quota-exceeded"} 1');
      expect(text).toContain('hoist_signer_refusals_total{reason="unauthorized"} 2');
      expect(text).toMatch(/hoist_signer_requests_total\{method="POST",route="\/v1\/batches\/sign",status="200"\} 1/u);
      expect(text).toMatch(/hoist_signer_request_duration_seconds_count\{route="\/v1\/batches\/sign"\} 1/u);
      expect(text).not.toContain('X-Amz-Signature');
      expect(signer.logs.filter((line) => line.event === 'file-signed').map((line) => line.outcome)).toEqual([
        'put',
        'put',
        'refused',
      ]);
    } finally {
      await signer.close();
    }
  });
});

describe('the plan', () => {
  it('shows each quota the batch goes past before any byte moves, and the run ends the files past it as rejected with the reason', async () => {
    const signer = await startTestSigner(s3, { quotas: { filesPerDay: 2 } });
    const engine = new UploadEngine({
      signerUrl: signer.url,
      token: signer.tokens.alice,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-quota-')),
    });
    try {
      const root = await makeFolder({ 'a.txt': 'a', 'b.txt': 'b', 'c.txt': 'c' });
      const plan = await engine.plan(root);
      expect(plan.quotas).toEqual([
        'Over your quota of 2 files a day: this batch needs 3 files, 2 files left; the signer will refuse the files past it',
      ]);
      const report = await engine.batch(root).run();
      expect([...report.files].map((f) => f.status).sort()).toEqual(['rejected', 'uploaded', 'uploaded']);
      expect([...report.files].find((f) => f.status === 'rejected')).toMatchObject({
        code: 'quota-exceeded',
        reason: expect.stringMatching(/^Quota `filesPerDay` \(2 files a day\): 0 files left; it resets at /u),
      });
    } finally {
      engine.close();
      await signer.close();
    }
  });
});

describe('when Redis stops mid-run', () => {
  it('refuses with 503 while it is away (whenDown: refuse), logs it loudly, and counts again once it is back', async () => {
    const redis = await startTestRedis();
    const [a, b] = await replicas(redis, { quotas: { filesPerDay: 50 } });
    try {
      expect((await sign(a, 'r1', ['1'])).status).toBe(200);
      await redis.stop();
      const during = await sign(b, 'r2', ['2']);
      expect(during.status).toBe(503);
      expect(during.headers.get('retry-after')).toBe('5');
      expect(during.json.error).toMatchObject({ code: 'limits-unavailable' });
      expect(b.logs).toContainEqual(expect.objectContaining({ level: 50, event: 'redis-unreachable' }));
      await redis.start();
      await waitFor(async () => (await sign(a, 'r3', ['3'])).status === 200, 10_000);
      expect(a.logs).toContainEqual(expect.objectContaining({ event: 'redis-back' }));
      await waitFor(async () => b.logs.some((entry) => entry.event === 'redis-back'), 10_000);
      const policy = await callSigner(b.url, b.tokens.alice, 'GET', '/v1/policy');
      expect(policy.status).toBe(200);
      expect(policy.json.quotas[0]).toMatchObject({ name: 'filesPerDay', remaining: 49 });
      recordFault({ fault: 'Redis killed mid-run (refuse)', injected: 1, filesAffected: 1, lost: 0, corrupted: 0 });
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });

  it('counts per replica while it is away (whenDown: per-replica), and says so in the log', async () => {
    const redis = await startTestRedis();
    const [a, b] = await replicas(redis, { quotas: { filesPerDay: 2 }, redis: { url: '', whenDown: 'per-replica' } });
    try {
      expect((await sign(a, 'p1', ['1'])).status).toBe(200);
      await redis.stop();
      const onA = await sign(a, 'p2', ['2', '3', '4']);
      const onB = await sign(b, 'p3', ['5', '6', '7']);
      expect(onA.json.files.map((f: any) => f.status)).toEqual(['put', 'put', 'error']);
      expect(onB.json.files.map((f: any) => f.status)).toEqual(['put', 'put', 'error']);
      expect(a.logs).toContainEqual(
        expect.objectContaining({ level: 50, event: 'redis-unreachable', msg: expect.stringContaining('per replica') }),
      );
      recordFault({
        fault: 'Redis killed mid-run (per-replica)',
        injected: 1,
        filesAffected: 6,
        lost: 0,
        corrupted: 0,
      });
    } finally {
      await a.close();
      await b.close();
      await redis.stop();
    }
  });
});
