import { HeadObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5Base64 } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signer: TestSigner;
let replica: TestSigner;
const policy = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy });
  // A second replica with the same settings and secret: any request may reach either one.
  replica = await startTestSigner(s3, {
    bucket: signer.bucket,
    policy,
    tokenSecret: signer.config.tokenSecret,
    tokens: signer.tokens,
  });
});
afterAll(async () => {
  await signer.close();
  await replica.close();
  admin.destroy();
});

const body = randomBytes(11 * MiB + 123);
const slices = [body.subarray(0, 5 * MiB), body.subarray(5 * MiB, 10 * MiB), body.subarray(10 * MiB)];

async function plan(path: string, token = signer.tokens.alice) {
  const res = await callSigner(signer.url, token, 'POST', '/v1/batches/sign', {
    batch: 'mp',
    files: [{ path, size: body.length, type: 'application/octet-stream' }],
  });
  expect(res.status).toBe(200);
  return res.json.files[0];
}

async function signParts(url: string, token: string, uploadToken: string, numbers: number[]) {
  return callSigner(url, token, 'POST', '/v1/multipart/parts', {
    token: uploadToken,
    parts: numbers.map((n) => ({ partNumber: n, size: slices[n - 1]!.length, md5: md5Base64(slices[n - 1]!) })),
  });
}

async function uploadParts(uploadToken: string, numbers: number[]) {
  const signed = await signParts(signer.url, signer.tokens.alice, uploadToken, numbers);
  expect(signed.status).toBe(200);
  for (const part of signed.json.parts) {
    const res = await fetch(part.url, { method: 'PUT', headers: part.headers, body: slices[part.partNumber - 1] });
    expect(res.status).toBe(200);
  }
}

describe('multipart uploads', () => {
  it('plans, signs parts, lists, and completes on another replica; the object matches', async () => {
    const file = await plan('big.bin');
    expect(file).toMatchObject({ status: 'multipart', partSize: 5 * MiB, partCount: 3, key: 'users/alice/mp/big.bin' });
    await uploadParts(file.token, [1, 3]);
    const listed = await callSigner(replica.url, signer.tokens.alice, 'POST', '/v1/multipart/list', {
      token: file.token,
    });
    expect(listed.json.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([1, 3]);

    const early = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/complete', {
      token: file.token,
    });
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe('incomplete-upload');

    await uploadParts(file.token, [2]);
    const done = await callSigner(replica.url, signer.tokens.alice, 'POST', '/v1/multipart/complete', {
      token: file.token,
    });
    expect(done.status).toBe(200);
    expect(done.json).toMatchObject({ key: file.key, size: body.length });
    expect(done.json.etag).toMatch(/-3"$/u);
    const head = await admin.send(new HeadObjectCommand({ Bucket: signer.bucket, Key: file.key }));
    expect(head.ContentLength).toBe(body.length);
    const got = await admin.send(new GetObjectCommand({ Bucket: signer.bucket, Key: file.key }));
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
  });

  it('keeps uploads in flight across a secret rotation, and refuses them once the old secret is dropped', async () => {
    const file = await plan('rotated.bin');
    await uploadParts(file.token, [1, 2]);
    const next = randomBytes(32).toString('hex');
    const rotated = await startTestSigner(s3, {
      bucket: signer.bucket,
      tokens: signer.tokens,
      policy,
      tokenSecret: next,
      previousTokenSecret: signer.config.tokenSecret,
    });
    const dropped = await startTestSigner(s3, {
      bucket: signer.bucket,
      tokens: signer.tokens,
      policy,
      tokenSecret: next,
    });
    const parts = await signParts(rotated.url, signer.tokens.alice, file.token, [3]);
    expect(parts.status).toBe(200);
    const part = parts.json.parts[0];
    expect((await fetch(part.url, { method: 'PUT', headers: part.headers, body: slices[2] })).status).toBe(200);
    const refused = await callSigner(dropped.url, signer.tokens.alice, 'POST', '/v1/multipart/complete', {
      token: file.token,
    });
    const done = await callSigner(rotated.url, signer.tokens.alice, 'POST', '/v1/multipart/complete', {
      token: file.token,
    });
    // A plan the rotated signer makes is signed with the new secret, under its own key id.
    const fresh = (
      await callSigner(rotated.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
        batch: 'mp',
        files: [{ path: 'fresh.bin', size: body.length, type: 'application/octet-stream' }],
      })
    ).json.files[0];
    await rotated.close();
    await dropped.close();
    expect(refused.status).toBe(403);
    expect(refused.json.error.message).toContain('a secret this signer no longer holds');
    expect(done.status).toBe(200);
    expect(done.json.size).toBe(body.length);
    expect(fresh.token.split('.')[0]).not.toBe(file.token.split('.')[0]);
  });

  it("refuses a part size other than the plan's, and a part number past the plan", async () => {
    const file = await plan('sizes.bin');
    const wrongSize = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/parts', {
      token: file.token,
      parts: [{ partNumber: 1, size: 5 * MiB - 1, md5: md5Base64(slices[0]!) }],
    });
    expect(wrongSize.status).toBe(400);
    expect(wrongSize.json.error.field).toBe('parts[0].size');
    const past = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/parts', {
      token: file.token,
      parts: [{ partNumber: 4, size: 1, md5: md5Base64(slices[0]!) }],
    });
    expect(past.status).toBe(400);
    expect(past.json.error.field).toBe('parts[0].partNumber');
  });

  it('has S3 refuse a part whose body differs from its signed MD5 (400 BadDigest)', async () => {
    const file = await plan('digest.bin');
    const signed = await signParts(signer.url, signer.tokens.alice, file.token, [1]);
    const forged = Buffer.from(slices[0]!);
    forged[0] = forged[0]! ^ 0xff;
    const res = await fetch(signed.json.parts[0].url, {
      method: 'PUT',
      headers: signed.json.parts[0].headers,
      body: forged,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('BadDigest');
  });

  it("refuses another user's token for signing, listing, completing and aborting (403)", async () => {
    const file = await plan('alice-only.bin');
    const asBob = (path: string, extra = {}) =>
      callSigner(signer.url, signer.tokens.bob, 'POST', path, { token: file.token, ...extra });
    const parts = await signParts(signer.url, signer.tokens.bob, file.token, [1]);
    expect(parts.status).toBe(403);
    for (const path of ['/v1/multipart/list', '/v1/multipart/complete', '/v1/multipart/abort']) {
      const res = await asBob(path);
      expect(res.status).toBe(403);
      expect(res.json.error.code).toBe('forbidden');
    }
  });

  it('refuses a token whose claims were edited (403)', async () => {
    const file = await plan('tamper.bin');
    const [keyId, payload, mac] = file.token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const edited = Buffer.from(JSON.stringify({ ...claims, key: 'users/alice/mp/other.bin', size: 1 })).toString(
      'base64url',
    );
    const res = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/list', {
      token: `${keyId}.${edited}.${mac}`,
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('invalid-upload-token');
  });

  it('aborts: S3 frees the upload and it can no longer be listed', async () => {
    const file = await plan('aborted.bin');
    await uploadParts(file.token, [1]);
    const aborted = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/abort', {
      token: file.token,
    });
    expect(aborted.status).toBe(204);
    const listed = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/multipart/list', {
      token: file.token,
    });
    expect(listed.status).toBe(404);
    expect(listed.json.error.code).toBe('no-such-upload');
  });
});
