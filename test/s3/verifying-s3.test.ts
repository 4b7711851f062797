import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminClient, createTestBucket } from '../helpers/test-s3';

// These tests prove the suite's S3 really verifies what Hoist's security rests on. If they fail, the
// security tests elsewhere prove nothing, so they run first and loudly.
const s3 = inject('s3');
const client = adminClient(s3);
let bucket = '';

beforeAll(async () => {
  bucket = await createTestBucket(s3);
});
afterAll(() => client.destroy());

const md5 = (body: Buffer): string => createHash('md5').update(body).digest('base64');

async function presignPut(key: string, body: Buffer): Promise<string> {
  const command = new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    ContentType: 'image/png',
    ContentLength: body.length,
    ContentMD5: md5(body),
  });
  return getSignedUrl(client, command, {
    expiresIn: 300,
    signableHeaders: new Set(['content-type', 'content-length', 'content-md5']),
  });
}

describe.runIf(s3.verifies)('the test S3 verifies signatures', () => {
  const body = Buffer.from('the real bytes');

  it('accepts a presigned PUT that sends exactly the signed headers', async () => {
    const url = await presignPut('ok.png', body);
    const res = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'image/png', 'content-md5': md5(body) },
    });
    expect(res.status).toBe(200);
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'ok.png' }));
    expect(await got.Body?.transformToString()).toBe('the real bytes');
  });

  it('refuses a presigned PUT whose Content-Type differs from the signed one with 403', async () => {
    const url = await presignPut('type.png', body);
    const res = await fetch(url, {
      method: 'PUT',
      body,
      headers: { 'content-type': 'text/html', 'content-md5': md5(body) },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('SignatureDoesNotMatch');
  });

  it('refuses a wrong body under a signed Content-MD5 with 400 BadDigest', async () => {
    const url = await presignPut('digest.png', body);
    const forged = Buffer.from('the fake bytes');
    expect(forged.length).toBe(body.length);
    const res = await fetch(url, {
      method: 'PUT',
      body: forged,
      headers: { 'content-type': 'image/png', 'content-md5': md5(body) },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('BadDigest');
  });
});
