import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addressKey } from '../../signer-server/src/limits/client-address';
import { sweepStaleUploads } from '../../signer-server/src/access/upload-sweeper';
import { Storage } from '../../signer-server/src/storage';
import { md5Base64 } from '../helpers/hash';
import { recordFault } from '../helpers/fault-ledger';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// Security review, round 3: each finding against a running signer on the verifying S3, counted into
// the abuse table `npm run test:faults` prints.
const s3 = inject('s3');
const admin = adminClient(s3);
let signer: TestSigner;

function refusedAll(abuse: string, by: string, outcomes: boolean[]): void {
  const refused = outcomes.filter(Boolean).length;
  recordFault({ abuse, attempts: outcomes.length, refused, by });
  expect(refused).toBe(outcomes.length);
}

/** A JWT-shaped bearer (not signed by anyone) claiming `iss`. */
const fakeJwt = (iss: string, i: number): string =>
  [{ alg: 'RS256', kid: 'k' }, { iss, sub: `guess-${i}`, exp: 4_000_000_000 }, 'sig']
    .map((part) => Buffer.from(typeof part === 'string' ? part : JSON.stringify(part)).toString('base64url'))
    .join('.');

beforeAll(async () => {
  signer = await startTestSigner(s3, { userSettings: { bob: { destinations: ['inbox'] } } });
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

describe('security review, round 3', () => {
  it('N3: counts an IPv6 client by its /64, and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(addressKey('::ffff:192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('192.0.2.7')).toBe('192.0.2.7');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });

  it('N3: locks out guesses from one /64 behind the trusted proxy hops, never a valid token, and warns of X-Forwarded-For it ignores', async () => {
    const proxied = await startTestSigner(s3, {
      bucket: signer.bucket,
      behindTlsProxy: true,
      proxyHops: 2,
      rateLimit: { authFailureMax: 5 },
    });
    // Two trusted hops: the client is the second entry from the right; the first is the client's own claim.
    const from = (client: string) => ({ 'x-forwarded-for': `203.0.113.66, ${client}, 10.0.0.2` });
    const call = (token: string, client: string) =>
      fetch(`${proxied.url}/v1/policy`, { headers: { authorization: `Bearer ${token}`, ...from(client) } });
    const guesses = [];
    for (let i = 0; i < 8; i++) guesses.push((await call(`guess-${i}`, `2001:db8:7:7::${i + 1}`)).status);
    const valid = await call(proxied.tokens.alice, '2001:db8:7:7::99');
    const elsewhere = await call('guess-elsewhere', '2001:db8:7:8::1');
    await proxied.close();
    expect(guesses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(guesses.slice(5)).toEqual([429, 429, 429]);
    expect(valid.status).toBe(200);
    expect(elsewhere.status).toBe(401);
    refusedAll('guesses rotating through one IPv6 /64 behind two proxies', 'signer 429 per /64', [
      ...guesses.slice(5).map((s) => s === 429),
      valid.status === 200,
    ]);

    const direct = await startTestSigner(s3, { bucket: signer.bucket });
    await fetch(`${direct.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.1' } });
    await direct.close();
    expect(direct.logs.some((l) => l.event === 'forwarded-for-ignored' && l.level === 40)).toBe(true);
  });

  it('N5: gives no view link outside the destinations a user may use', async () => {
    const outside = 'users/bob/elsewhere/b1/photo.png';
    const inside = 'users/bob/inbox/b1/photo.png';
    for (const key of [outside, inside])
      await admin.send(new PutObjectCommand({ Bucket: signer.bucket, Key: key, Body: 'x' }));
    const { json } = await callSigner(signer.url, signer.tokens.bob, 'POST', '/v1/links', { keys: [outside, inside] });
    expect(json.links[1]).toMatchObject({ status: 'ok', key: inside });
    expect(json.links[0]).toMatchObject({ status: 'error', code: 'forbidden' });
    expect(json.links[0].message).toContain('outside the folders you may use');
    refusedAll('a view link outside the allowed destinations', 'signer per-key forbidden', [
      json.links[0].status === 'error',
    ]);
  });

  it('N10: serves /metrics to other machines only with its token, and counts wrong tokens as failed sign-ins', async () => {
    const open = await startTestSigner(s3, { bucket: signer.bucket, behindTlsProxy: true });
    const remote = await fetch(`${open.url}/metrics`, { headers: { 'x-forwarded-for': '198.51.100.9' } });
    const local = await fetch(`${open.url}/metrics`);
    await open.close();
    expect(remote.status).toBe(403);
    expect(local.status).toBe(200);
    const guarded = await startTestSigner(s3, {
      bucket: signer.bucket,
      metricsTokenSha256: 'c775e7b757ede630cd0aa1113bd102661ab38829ca52a6422ab782862f268646',
      rateLimit: { authFailureMax: 3 },
    });
    const statuses = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer g${i}` } })).status);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer 1234567890' } });
    await guarded.close();
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(right.status).toBe(200);
    refusedAll('/metrics from another machine without a token, and token guessing', 'signer 403, then 429', [
      remote.status === 403,
      ...statuses.slice(3).map((s) => s === 429),
    ]);
  });

  it('N6: lists once per stem for renames, weighs the caller by the S3 calls, and cuts long paths in audit lines', async () => {
    let lists = 0;
    const counted = await startTestSigner(s3, {
      bucket: signer.bucket,
      scoped: false,
      instrument: (storage) => {
        const listPage = storage.listPage.bind(storage);
        storage.listPage = (...args) => {
          lists += 1;
          return listPage(...args);
        };
      },
    });
    const body = Buffer.from('x');
    const paths = Array.from({ length: 30 }, (_, i) => ['jpg', 'png', 'gif'].map((ext) => `s${i}.${ext}`)).flat();
    const files = paths.map((path) => ({ path, size: 1, type: 'image/png', md5: md5Base64(body), conflict: 'rename' }));
    const before = await fetch(`${counted.url}/v1/policy`, {
      headers: { authorization: `Bearer ${counted.tokens.alice}` },
    });
    const signed = await callSigner(counted.url, counted.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'renames',
      destination: 'renames',
      files,
    });
    const after = await fetch(`${counted.url}/v1/policy`, {
      headers: { authorization: `Bearer ${counted.tokens.alice}` },
    });
    const long = 'd/'.repeat(2000) + 'x.png';
    await callSigner(counted.url, counted.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'long',
      files: [{ path: long, size: 1, type: 'image/png', md5: md5Base64(body) }],
    });
    await counted.close();
    expect(signed.json.files.every((f: { status: string }) => f.status === 'put')).toBe(true);
    expect(lists).toBe(30);
    const spent =
      Number(before.headers.get('x-ratelimit-remaining')) - Number(after.headers.get('x-ratelimit-remaining'));
    expect(spent).toBe(2 + Math.floor(30 / 10));
    const line = counted.logs.find((l) => l.event === 'file-signed' && l.batch === 'long')!;
    expect((line.path as string).length).toBeLessThan(600);
    expect(line.path).toContain('more)');
    refusedAll(
      'S3 calls per request: renames, and a path that fills the audit log',
      'one LIST per stem; calls weigh the limit; cut audit paths',
      [lists === 30, spent === 5, (line.path as string).length < 600],
    );
  });

  it('N6: aborts multipart uploads no token can finish any more', async () => {
    const big = 6 * 1024 * 1024 * 1024;
    const { json } = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'abandoned',
      files: [{ path: 'huge.bin', size: big, type: 'application/octet-stream' }],
    });
    expect(json.files[0].status).toBe('multipart');
    const own = new Storage(signer.config.s3, { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
    const open = async () =>
      (await own.openUploads('users/alice/')).filter((u) => u.uploadId === json.files[0].uploadId);
    expect(await open()).toHaveLength(1);
    const ttl = signer.config.policy.uploadTokenTtlSeconds;
    expect(await sweepStaleUploads(own, ['users/alice'], ttl, Date.now())).toBe(0);
    expect(
      await sweepStaleUploads(own, ['users/alice'], ttl, Date.now() + ttl * 1000 + 2 * 3600_000),
    ).toBeGreaterThanOrEqual(1);
    expect(await open()).toHaveLength(0);
    refusedAll('multipart uploads created at sign time and never used', 'sweep after the token expires', [
      (await open()).length === 0,
    ]);
  });

  it('N7: counts files per batch by the folder they go to, not by the batch id the client picks', async () => {
    const limited = await startTestSigner(s3, {
      bucket: signer.bucket,
      quotas: { filesPerBatch: 3 },
      userSettings: { bob: { destinations: ['inbox'] } },
    });
    const body = Buffer.from('q');
    const sign = (batch: string, names: string[]) =>
      callSigner(limited.url, limited.tokens.bob, 'POST', '/v1/batches/sign', {
        batch,
        destination: 'inbox/shoot',
        files: names.map((path) => ({ path, size: 1, type: 'image/png', md5: md5Base64(body) })),
      });
    const first = await sign('batch-a', ['1.png', '2.png', '3.png']);
    const second = await sign('batch-b', ['4.png', '5.png']);
    await limited.close();
    expect(first.json.files.map((f: { status: string }) => f.status)).toEqual(['put', 'put', 'put']);
    expect(second.json.files.map((f: { code?: string }) => f.code)).toEqual(['quota-exceeded', 'quota-exceeded']);
    expect(second.json.files[0].message).toContain('for `inbox/shoot`');
    refusedAll(
      'one destination split over many batch ids past filesPerBatch',
      'quota per user and folder',
      second.json.files.map((f: { code?: string }) => f.code === 'quota-exceeded'),
    );
  });

  describe('N12: JWT-shaped bearers while the provider fails', () => {
    let provider: Server;
    let hits = 0;
    let oidcSigner: TestSigner;
    let issuer: string;

    beforeAll(async () => {
      provider = createServer((_req, res) => {
        hits += 1;
        res.writeHead(500).end();
      });
      await new Promise<void>((done) => provider.listen(0, '127.0.0.1', done));
      issuer = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
      oidcSigner = await startTestSigner(s3, {
        bucket: signer.bucket,
        oidc: { issuer, clientId: 'hoist' },
        prefixes: { alice: 'teams/alice', bob: 'teams/bob' },
        rateLimit: { authFailureMax: 1000, addressMax: 10_000 },
      });
    });
    afterAll(async () => {
      await oidcSigner.close();
      provider.close();
    });

    it('fetches nothing for a token that names another issuer, and asks a failing provider once per period', async () => {
      const foreign = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          callSigner(oidcSigner.url, fakeJwt('https://evil.example', i), 'GET', '/v1/policy'),
        ),
      );
      expect(foreign.every((a) => a.status === 401)).toBe(true);
      expect(hits).toBe(0);
      const claimed = [];
      for (let i = 0; i < 40; i++)
        claimed.push(await callSigner(oidcSigner.url, fakeJwt(issuer, i), 'GET', '/v1/policy'));
      expect(claimed.every((a) => a.status === 503)).toBe(true);
      expect(hits).toBe(1);
      refusedAll(
        'JWT-shaped bearers making the signer fetch from a failing provider',
        'issuer check first; failure cached 10 s',
        [hits <= 1],
      );
    });
  });
});
