import { randomBytes } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { secretBytes } from '../../signer-server/src/secret';
import { UploadTokens } from '../../signer-server/src/upload-token';
import { recordFault } from '../helpers/fault-ledger';
import { md5Base64 } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// Attacks on the signer, each refused by the signer or by S3 itself (Ceph verifies every signature).
// Every case counts its attempts and refusals into the ledger `npm run test:faults` prints.
const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

const sign = (token: string | undefined, body: unknown) =>
  callSigner(signer.url, token, 'POST', '/v1/batches/sign', body);
const oneFile = (path: string, body = Buffer.from('x'), type = 'text/plain') => ({
  batch: 'abuse',
  files: [{ path, size: body.length, type, md5: md5Base64(body) }],
});

/** Records a case and asserts every attempt was refused. */
function refusedAll(abuse: string, by: string, outcomes: boolean[]): void {
  const refused = outcomes.filter(Boolean).length;
  recordFault({ abuse, attempts: outcomes.length, refused, by });
  expect(refused).toBe(outcomes.length);
}

async function keysOutside(prefix: string): Promise<string[]> {
  const out = await admin.send(new ListObjectsV2Command({ Bucket: signer.bucket }));
  return (out.Contents ?? []).map((o) => o.Key!).filter((k) => !k.startsWith(prefix));
}

describe('abuse of the signer', () => {
  it('refuses forged tokens', async () => {
    const forged = [
      randomBytes(24).toString('hex'),
      signer.tokens.alice.slice(0, -1),
      signer.tokens.alice.toUpperCase(),
      'null',
      '',
    ];
    const answers = await Promise.all(forged.map((t) => sign(t || undefined, oneFile('a.txt'))));
    refusedAll(
      'forged bearer token',
      'signer 401',
      answers.map((a) => a.status === 401),
    );
  });

  it("refuses expired, edited and other users' multipart tokens", async () => {
    const body = Buffer.alloc(6 * MiB, 1);
    const plan = (await sign(signer.tokens.alice, oneFile('big.bin', body, 'application/octet-stream'))).json.files[0];
    expect(plan.status).toBe('multipart');
    const [keyId, payload, mac] = plan.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const issuer = new UploadTokens([secretBytes(signer.config.tokenSecret)!]);
    const expired = issuer.issue({ ...claims, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const otherKey = `${keyId}.${Buffer.from(JSON.stringify({ ...claims, key: 'users/bob/x' })).toString('base64url')}.${mac}`;
    const parts = (token: string, bearer = signer.tokens.alice) =>
      callSigner(signer.url, bearer, 'POST', '/v1/multipart/parts', {
        token,
        parts: [{ partNumber: 1, size: 5 * MiB, md5: md5Base64(body.subarray(0, 5 * MiB)) }],
      });
    const answers = [
      await parts(expired),
      await parts(otherKey),
      await parts(plan.token, signer.tokens.bob),
      await callSigner(signer.url, signer.tokens.bob, 'POST', '/v1/multipart/complete', { token: plan.token }),
      await callSigner(signer.url, signer.tokens.bob, 'POST', '/v1/multipart/abort', { token: plan.token }),
    ];
    refusedAll(
      "expired, edited or another user's multipart token",
      'signer 403',
      answers.map((a) => a.status === 403),
    );
    expect(answers[0]!.json.error.message).toContain('expired');
  });

  it('never signs a key outside the caller’s prefix: traversal, encoded slashes, look-alikes, NUL', async () => {
    const paths = [
      '../escape.txt',
      'a/../../escape.txt',
      '..\\..\\escape.txt',
      '/etc/passwd',
      'C:\\Windows\\escape.txt',
      '%2e%2e/escape.txt',
      'a%2F..%2F..%2Fescape.txt',
      '..%2fescape.txt',
      '\uff0e\uff0e/escape.txt',
      'a\u2215..\u2215escape.txt',
      'a\u29f8escape.txt',
      'nul\u0000.txt',
      'a/\u0000/../escape.txt',
      'line\nbreak.txt',
    ];
    const outcomes: boolean[] = [];
    for (const path of paths) {
      const body = Buffer.from(`payload for ${JSON.stringify(path)}`);
      const [file] = (await sign(signer.tokens.alice, oneFile(path, body))).json.files;
      if (file.status === 'error') {
        outcomes.push(true);
        continue;
      }
      // Accepted as a literal name: it must land under the prefix, and S3 must store it there.
      const res = await fetch(file.url, { method: 'PUT', headers: file.headers, body: new Uint8Array(body) });
      outcomes.push(file.key.startsWith('users/alice/abuse/') && res.status === 200);
    }
    expect(await keysOutside('users/alice/')).toEqual([]);
    refusedAll('key escaping the prefix', 'signer (per-file error) or kept inside the prefix', outcomes);
  });

  it('has S3 refuse a signed URL replayed with another body, length or type', async () => {
    const body = Buffer.from('the signed body');
    const [file] = (await sign(signer.tokens.alice, oneFile('replay.txt', body))).json.files;
    const put = (headers: Record<string, string>, payload: Buffer) =>
      fetch(file.url, { method: 'PUT', headers, body: new Uint8Array(payload) });
    const forged = Buffer.from('the forged body');
    const answers = [
      await put(file.headers, forged),
      await put(
        { ...file.headers, 'content-length': String(body.length + 5) },
        Buffer.concat([body, Buffer.from('extra')]),
      ),
      await put({ ...file.headers, 'content-type': 'text/html' }, body),
      await put({ ...file.headers, 'content-md5': md5Base64(forged) }, forged),
    ];
    refusedAll(
      'URL replayed for another body, length or type',
      'S3 400/403',
      answers.map((a) => a.status === 400 || a.status === 403),
    );
  });

  it('answers huge, deeply nested and malformed JSON with 4xx, never 5xx, and stays up', async () => {
    const raw = (body: string) =>
      fetch(`${signer.url}/v1/batches/sign`, {
        method: 'POST',
        headers: { authorization: `Bearer ${signer.tokens.alice}`, 'content-type': 'application/json' },
        body,
      });
    const bodies = [
      `{"batch":"b","files":[${'{"path":"a","size":1,"type":"text/plain"},'.repeat(200_000)}{}]}`,
      `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
      `{"batch":"b","files":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`,
      '{"batch":',
      '{"batch":"b","files":[{"path":"a","size":-1,"type":"x"}]}',
      '{"__proto__":{"admin":true},"batch":"b","files":[]}',
    ];
    const answers = [];
    for (const body of bodies) answers.push((await raw(body)).status);
    refusedAll(
      'huge, deeply nested or malformed JSON',
      'signer 400/413',
      answers.map((s) => s >= 400 && s < 500),
    );
    expect((await fetch(`${signer.url}/healthz`)).status).toBe(200);
  });

  it('answers a flood of requests with 429 and Retry-After', async () => {
    const limited = await startTestSigner(s3, { bucket: signer.bucket, rateLimit: { max: 20, windowMs: 60_000 } });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => callSigner(limited.url, limited.tokens.alice, 'GET', '/v1/policy')),
    );
    const limitedAnswers = answers.filter((a) => a.status === 429);
    await limited.close();
    refusedAll(
      'flood past the rate limit',
      'signer 429',
      answers.slice(20).map((a) => a.status === 429),
    );
    expect(limitedAnswers[0]!.headers.get('retry-after')).toMatch(/^\d+$/u);
  });

  it('answers any JSON body without a 5xx, and signs only keys inside the prefix (property)', async () => {
    let attempts = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            batch: fc.string(),
            files: fc.array(
              fc.record({ path: fc.string(), size: fc.integer(), type: fc.string(), md5: fc.base64String() }),
              { maxLength: 5 },
            ),
          }),
        ),
        async (body) => {
          attempts += 1;
          const res = await sign(signer.tokens.alice, body);
          expect(res.status).toBeLessThan(500);
          for (const file of res.json?.files ?? []) if (file.key) expect(file.key).toMatch(/^users\/alice\//u);
        },
      ),
      { numRuns: 150 },
    );
    recordFault({
      abuse: 'random JSON bodies (fast-check)',
      attempts,
      refused: attempts,
      by: 'no 5xx, no key outside the prefix',
    });
  });
});
