import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import S3rver from 's3rver';
import { hashToken } from '@hoist/signer-server/auth';
import { parseConfig } from '@hoist/signer-server/config';
import { startSigner } from '@hoist/signer-server/server';
import { Storage } from '@hoist/signer-server/storage';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { objectMd5 } from '../helpers/bucket';
import { recordFault } from '../helpers/fault-ledger';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Base64, md5Hex } from '../helpers/hash';
import { callSigner, collectingLogger, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient, createTestBucket } from '../helpers/test-s3';

const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
const SECRET = Buffer.from("bob's private notes");
const MINE = Buffer.from('twenty bytes of mine');
let bucket: string;

/** Signs one of alice's files, then PUTs it with the returned headers plus `extra`, as a URL's holder may. */
async function putWithExtra(signer: TestSigner, path: string, extra: Record<string, string>) {
  const { json } = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
    batch: 'exploit',
    files: [{ path, size: MINE.length, type: 'text/plain', md5: md5Base64(MINE) }],
  });
  const [file] = json.files;
  expect(file.status).toBe('put');
  const res = await fetch(file.url, { method: 'PUT', headers: { ...file.headers, ...extra }, body: MINE });
  return { key: file.key as string, status: res.status, text: await res.text() };
}

const readObject = async (key: string): Promise<string> => {
  const out = await admin.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return out.Body!.transformToString();
};

/** The value of one metric line in the signer's /metrics text. */
async function metric(signer: TestSigner, name: string): Promise<number> {
  const text = await (await fetch(`${signer.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

// Skipped only against an outside store (HOIST_TEST_S3_ENDPOINT) named without HOIST_TEST_S3_ROLE_ARN:
// the local RGW always has a role.
describe.runIf(s3.roleArn)('URLs signed with a session limited to their owner (RGW with STS)', () => {
  let scoped: TestSigner;
  let unscoped: TestSigner;

  beforeAll(async () => {
    bucket = await createTestBucket(s3);
    await admin.send(new PutObjectCommand({ Bucket: bucket, Key: 'users/bob/notes.txt', Body: SECRET }));
    scoped = await startTestSigner(s3, { bucket });
    unscoped = await startTestSigner(s3, { bucket, scoped: false });
  });
  afterAll(async () => {
    await scoped?.close();
    await unscoped?.close();
  });

  it("reproduces CVE-2026-54330 with the signer's own credentials: an unsigned copy-source reads bob's file", async () => {
    const copied = await putWithExtra(unscoped, 'stolen.txt', {
      'x-amz-copy-source': `/${bucket}/users/bob/notes.txt`,
    });
    expect(copied.status).toBe(200);
    expect(copied.text).toContain('CopyObjectResult');
    expect(await readObject(copied.key)).toBe(SECRET.toString());
  });

  it('refuses the same copy with scoped credentials: 403, and the key holds nothing of bob', async () => {
    const attempts = [
      { 'x-amz-copy-source': `/${bucket}/users/bob/notes.txt` },
      { 'x-amz-copy-source': `${bucket}/users/bob/notes.txt` },
      { 'x-amz-copy-source': `/${bucket}/users%2Fbob%2Fnotes.txt` },
    ];
    const outcomes = [];
    for (const [i, extra] of attempts.entries()) {
      const tried = await putWithExtra(scoped, `tried-${i}.txt`, extra);
      const held = await readObject(tried.key).catch(() => undefined);
      outcomes.push(tried.status === 403 && held === undefined);
    }
    expect(outcomes).toEqual([true, true, true]);
    recordFault({
      abuse: "unsigned x-amz-copy-source on a PUT URL (CVE-2026-54330), reading another user's object",
      attempts: attempts.length,
      refused: outcomes.filter(Boolean).length,
      by: 'scoped role session (RGW 403 AccessDenied)',
    });
  });

  it('pins the ACL on a store that ignores unsigned headers, so a URL cannot make a file public', async () => {
    const tried = await putWithExtra(scoped, 'public.txt', { 'x-amz-acl': 'public-read' });
    const anonymous = await fetch(`${s3.endpoint}/${bucket}/${tried.key}`);
    const refused = tried.status === 403 && anonymous.status === 403;
    expect(refused).toBe(true);
    const plain = await putWithExtra(scoped, 'plain.txt', {});
    expect(plain.status).toBe(200);
    expect(await readObject(plain.key)).toBe(MINE.toString());
    recordFault({
      abuse: 'unsigned x-amz-acl: public-read on a PUT URL',
      attempts: 1,
      refused: refused ? 1 : 0,
      by: 'signed x-amz-acl: private (RGW 403 SignatureDoesNotMatch)',
    });
  });

  it('names the store as affected, and says how URLs are signed, in /readyz, the log and /metrics', async () => {
    const ready = await (await fetch(`${scoped.url}/readyz`)).json();
    expect(ready).toMatchObject({
      ok: true,
      credentials: 'scoped',
      unsignedHeaders: 'accepted',
      advisory: 'CVE-2026-54330',
    });
    const plain = await (await fetch(`${unscoped.url}/readyz`)).json();
    expect(plain).toMatchObject({ ok: true, credentials: 'signer', unsignedHeaders: 'accepted' });
    const advisory = scoped.logs.find((l) => l.advisory === 'CVE-2026-54330');
    expect(advisory).toMatchObject({ level: 50, fixedIn: expect.stringContaining('19.2.6') });
    expect(unscoped.logs.some((l) => l.level === 40 && l.credentials === 'signer')).toBe(true);
    expect(await metric(scoped, 'hoist_signer_scoped_credentials')).toBe(1);
    expect(await metric(unscoped, 'hoist_signer_scoped_credentials')).toBe(0);
    expect(await metric(scoped, 'hoist_signer_store_accepts_unsigned_headers')).toBe(1);
  });

  it('refuses to start on the affected store with `store.requireSafeUrls` unless sessions are scoped', async () => {
    await expect(startTestSigner(s3, { bucket, scoped: false, store: { requireSafeUrls: true } })).rejects.toThrow(
      /CVE-2026-54330.*`s3.roleArn`/su,
    );
    const safe = await startTestSigner(s3, { bucket, store: { requireSafeUrls: true } });
    await safe.close();
  });

  it('cuts a link to what is left of the session that signs it', async () => {
    let offset = 0;
    const aging = await startTestSigner(s3, { bucket, sessionClock: () => Date.now() + offset });
    const put = await putWithExtra(aging, 'aging.txt', {});
    expect(put.status).toBe(200);
    offset = 1700_000; // 1,700 s into a 3,600 s session: not yet renewed, 1,900 s left
    const { json } = await callSigner(aging.url, aging.tokens.alice, 'POST', '/v1/links', { keys: [put.key] });
    await aging.close();
    const expires = Number(new URL(json.links[0].url).searchParams.get('X-Amz-Expires'));
    expect(expires).toBeGreaterThan(1800);
    expect(expires).toBeLessThanOrEqual(1900);
    expect(await (await fetch(json.links[0].url)).text()).toBe(MINE.toString());
  });

  it('renews sessions mid-batch: every file of an engine push lands while sessions age and are replaced', async () => {
    let now = Date.now();
    // Each read of the clock moves it a minute on: a 3,600 s session is renewed every 30 or so reads.
    const renewing = await startTestSigner(s3, {
      bucket,
      policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB, maxFilesPerBatch: 5 },
      sessionClock: () => (now += 60_000),
    });
    const files: Record<string, Buffer> = { 'big.bin': bytes(16 * MiB + 3) };
    for (let i = 0; i < 60; i++) files[`small/${i}.txt`] = Buffer.from(`file ${i}`);
    const root = await makeFolder(files);
    const before = await metric(renewing, 'hoist_signer_scoped_sessions_total');
    const engine = new UploadEngine({
      signerUrl: renewing.url,
      token: renewing.tokens.alice,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')),
      concurrency: 4,
      retry: { retries: 2, minDelayMs: 50, maxDelayMs: 200 },
    });
    const report = await engine.batch(root).run();
    engine.close();
    const renewed = (await metric(renewing, 'hoist_signer_scoped_sessions_total')) - before;
    await renewing.close();
    expect(report.counts).toEqual({ uploaded: 61, skipped: 0, rejected: 0, failed: 0 });
    expect(renewed).toBeGreaterThanOrEqual(3);
    const big = [...report.files].find((f) => f.path === 'big.bin')!;
    expect(await objectMd5(admin, bucket, big.key!)).toBe(md5Hex(files['big.bin']!));
  });
});

describe('a store without STS (s3rver, the embedded default)', () => {
  it('signs with the signer’s own credentials, and says so in the log, /readyz and /metrics', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hoist-s3rver-'));
    const s3rver = new S3rver({
      address: '127.0.0.1',
      port: 0,
      directory: dataDir,
      silent: true,
      configureBuckets: [{ name: 'plain' }],
    });
    const { port } = await s3rver.run();
    const lines: Record<string, unknown>[] = [];
    const token = 'a-token-for-the-fallback-test';
    const config = parseConfig({
      port: 0,
      tokenSecret: randomBytes(32).toString('hex'),
      s3: {
        bucket: 'plain',
        endpoint: `http://127.0.0.1:${port}`,
        forcePathStyle: true,
        roleArn: 'arn:aws:iam:::role/hoist-signer',
      },
      users: [{ id: 'ana', tokenSha256: hashToken(token), prefix: 'users/ana' }],
    });
    const signer = await startSigner(config, {
      logger: collectingLogger(lines),
      storage: new Storage(config.s3, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }),
    });
    try {
      const fell = lines.find((l) => l.credentials === 'signer' && l.roleArn === 'arn:aws:iam:::role/hoist-signer');
      expect(fell).toMatchObject({ level: 50 });
      expect(String(fell!.msg)).toContain("signing every URL with the signer's own credentials instead");
      expect(await (await fetch(`${signer.url}/readyz`)).json()).toMatchObject({ ok: true, credentials: 'signer' });
      const text = await (await fetch(`${signer.url}/metrics`)).text();
      expect(text).toMatch(/^hoist_signer_scoped_credentials 0$/mu);
      const body = Buffer.from('plain');
      const { json } = await callSigner(signer.url, token, 'POST', '/v1/batches/sign', {
        batch: 'b1',
        files: [{ path: 'a.png', size: body.length, type: 'image/png', md5: md5Base64(body) }],
      });
      expect(json.files[0].url).not.toContain('X-Amz-Security-Token');
      expect((await fetch(json.files[0].url, { method: 'PUT', headers: json.files[0].headers, body })).status).toBe(
        200,
      );
    } finally {
      await signer.close();
      await s3rver.close();
    }
  });
});
