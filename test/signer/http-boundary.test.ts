import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5Base64 } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';

const s3 = inject('s3');
let signer: TestSigner;
let limited: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, {
    policy: { maxFilesPerBatch: 3, maxBodyBytes: 2048 },
    corsOrigins: ['https://app.example'],
  });
  limited = await startTestSigner(s3, { bucket: signer.bucket, rateLimit: { max: 3, windowMs: 60_000 } });
});
afterAll(async () => {
  await signer.close();
  await limited.close();
});

const file = { path: 'a.txt', size: 1, type: 'text/plain', md5: md5Base64('a') };

describe('authentication', () => {
  it('answers 401 with a JSON error to a missing, malformed or unknown token', async () => {
    for (const token of [undefined, 'not-a-real-token']) {
      const res = await callSigner(signer.url, token, 'GET', '/v1/policy');
      expect(res.status).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const basic = await fetch(`${signer.url}/v1/policy`, { headers: { authorization: 'Basic YTpi' } });
    expect(basic.status).toBe(401);
  });

  it('tells a known caller its policy', async () => {
    const res = await callSigner(signer.url, signer.tokens.bob, 'GET', '/v1/policy');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ user: 'bob', prefix: 'users/bob', maxFilesPerBatch: 3, putUrlTtlSeconds: 900 });
  });
});

describe('bad input', () => {
  const post = (body: unknown) => callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', body);

  it('answers malformed JSON with 400 malformed-json', async () => {
    const res = await post('{"batch": ');
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe('malformed-json');
  });

  it('answers wrong types with 400 naming the field and the value', async () => {
    const res = await post({ batch: 'b', files: [{ ...file, size: '1' }] });
    expect(res.status).toBe(400);
    expect(res.json.error.field).toBe('files[0].size');
    expect(res.json.error.message).toContain('"1"');
    const extra = await post({ batch: 'b', files: [file], admin: true });
    expect(extra.status).toBe(400);
    const badBatch = await post({ batch: '../b', files: [file] });
    expect(badBatch.status).toBe(400);
    expect(badBatch.json.error.field).toBe('batch');
  });

  it('answers an oversized body with 413', async () => {
    const res = await post({ batch: 'b', files: [{ ...file, path: 'x'.repeat(4000) }] });
    expect(res.status).toBe(413);
    expect(res.json.error.code).toBe('body-too-large');
  });

  it('answers more files than the batch limit with 413 naming `files`', async () => {
    const res = await post({ batch: 'b', files: [file, file, file, file] });
    expect(res.status).toBe(413);
    expect(res.json.error).toMatchObject({ code: 'too-many-files', field: 'files' });
  });

  it('answers a non-JSON body with 415, and an unknown route with a JSON 404', async () => {
    const res = await fetch(`${signer.url}/v1/batches/sign`, {
      method: 'POST',
      headers: { authorization: `Bearer ${signer.tokens.alice}`, 'content-type': 'text/plain' },
      body: 'batch=b',
    });
    expect(res.status).toBe(415);
    const missing = await callSigner(signer.url, signer.tokens.alice, 'GET', '/v1/nothing');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('not-found');
  });

  it('reads a gzip body as the JSON it holds, holds its inflated size to the limit, refuses an unknown encoding with 415 and a body that is not gzip with 400', async () => {
    const gzipped = (text: string, encoding = 'gzip') =>
      fetch(`${signer.url}/v1/batches/sign`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${signer.tokens.alice}`,
          'content-type': 'application/json',
          'content-encoding': encoding,
        },
        body: gzipSync(text),
      });
    const signed = await gzipped(JSON.stringify({ batch: 'gz', files: [file] }));
    expect(signed.status).toBe(200);
    expect((await signed.json()).files[0]).toMatchObject({ path: 'a.txt', status: 'put' });
    // 64 MiB of JSON that gzip packs into ~64 KB: refused at the limit (2,048 bytes), not inflated whole.
    const bomb = await gzipped(`{"batch":"b","files":[],"pad":"${' '.repeat(64 * 1024 * 1024)}"}`);
    expect(bomb.status).toBe(413);
    expect((await bomb.json()).error.code).toBe('body-too-large');
    const unknown = await gzipped('{}', 'compress');
    expect(unknown.status).toBe(415);
    expect((await unknown.json()).error.message).toContain('got `compress`');
    const notGzip = await fetch(`${signer.url}/v1/batches/sign`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${signer.tokens.alice}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: '{"batch":"b"}',
    });
    expect(notGzip.status).toBe(400);
    expect((await notGzip.json()).error.message).toContain('not the gzip its Content-Encoding says');
    expect((await callSigner(signer.url, signer.tokens.alice, 'GET', '/v1/policy')).status).toBe(200);
  });

  it('never answers with a stack trace', async () => {
    const bodies = ['[', '{"batch":"b","files":[{"path":null}]}', 'null', '[]', '"x"', '{"batch":"b","files":[]}'];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(JSON.stringify(res.json)).not.toMatch(/at .*\.ts:\d+/u);
    }
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a token passes its budget', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await callSigner(limited.url, limited.tokens.alice, 'GET', '/v1/policy');
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(res.json.error.code).toBe('rate-limited');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const otherUser = await callSigner(limited.url, limited.tokens.bob, 'GET', '/v1/policy');
    expect(otherUser.status).toBe(200);
  });
});

describe('headers, CORS, health and the API description', () => {
  it('sets security headers', async () => {
    const res = await fetch(`${signer.url}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('allows only the configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${signer.url}/v1/policy`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
      });
    expect((await preflight('https://app.example')).headers.get('access-control-allow-origin')).toBe(
      'https://app.example',
    );
    expect((await preflight('https://evil.example')).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports alive and ready, and not ready when the bucket is missing', async () => {
    expect((await fetch(`${signer.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${signer.url}/readyz`)).status).toBe(200);
    // A missing bucket stops a signer at start unless it is told to start degraded (then /readyz says so).
    await expect(startTestSigner(s3, { bucket: 'hoist-no-such-bucket' })).rejects.toThrow(
      'The bucket `hoist-no-such-bucket` did not answer',
    );
    const orphan = await startTestSigner(s3, { bucket: 'hoist-no-such-bucket', store: { startDegraded: true } });
    try {
      expect((await fetch(`${orphan.url}/readyz`)).status).toBe(503);
    } finally {
      await orphan.close();
    }
  });

  it('serves its OpenAPI description', async () => {
    const res = await callSigner(signer.url, undefined, 'GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.json.paths)).toContain('/v1/batches/sign');
    expect(
      res.json.paths['/v1/batches/sign'].post.requestBody.content['application/json'].schema.properties,
    ).toHaveProperty('files');
  });
});

describe('request logs', () => {
  it('writes one JSON line per request with user, batch, file count and outcome, one audit line per file, and no secrets', async () => {
    const before = signer.logs.length;
    const res = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'logged',
      files: [file],
    });
    expect(res.status).toBe(200);
    const lines = signer.logs.slice(before);
    const requests = lines.filter((line) => !line.audit);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      user: 'alice',
      batch: 'logged',
      files: 1,
      status: 200,
      route: '/v1/batches/sign',
      outcome: 'signed 1/1',
    });
    expect(lines.filter((line) => line.audit)).toEqual([
      expect.objectContaining({
        event: 'file-signed',
        user: 'alice',
        batch: 'logged',
        key: 'users/alice/logged/' + file.path,
        size: file.size,
        md5: file.md5,
        outcome: 'put',
      }),
    ]);
    const all = JSON.stringify(signer.logs);
    expect(all).not.toContain(signer.tokens.alice);
    expect(all).not.toContain(signer.tokens.bob);
    expect(all).not.toContain('X-Amz-Signature');
    expect(all).not.toContain(res.json.files[0].url);
  });
});
