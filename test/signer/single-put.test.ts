import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5Base64, md5Hex } from '../helpers/hash';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

const s3 = inject('s3');
const admin = adminClient(s3);
let signer: TestSigner;
let overwriting: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy: { allowedTypes: ['image/*', 'text/plain'], maxFileSize: 1024 * 1024 } });
  overwriting = await startTestSigner(s3, { bucket: signer.bucket, policy: { overwrite: true } });
});
afterAll(async () => {
  await signer.close();
  await overwriting.close();
  admin.destroy();
});

async function sign(path: string, body: Buffer, type = 'image/png', s = signer) {
  const res = await callSigner(s.url, s.tokens.alice, 'POST', '/v1/batches/sign', {
    batch: 'b1',
    files: [{ path, size: body.length, type, md5: md5Base64(body) }],
  });
  expect(res.status).toBe(200);
  return res.json.files[0];
}

const put = (url: string, headers: Record<string, string>, body: Buffer) =>
  fetch(url, { method: 'PUT', headers, body: new Uint8Array(body) });

describe('single PUT URLs on the verifying S3', () => {
  const body = Buffer.from('\x89PNG pretend image bytes');

  it('uploads with exactly the returned headers, under the key the server chose', async () => {
    const file = await sign('photos\\cat.png', body);
    expect(file).toMatchObject({ status: 'put', key: 'users/alice/b1/photos/cat.png' });
    const res = await put(file.url, file.headers, body);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe(`"${md5Hex(body)}"`);
    const got = await admin.send(new GetObjectCommand({ Bucket: signer.bucket, Key: file.key }));
    expect(got.ContentType).toBe('image/png');
    expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
    expect(file.viewUrl).toBeUndefined();
    const links = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/links', { keys: [file.key] });
    expect(links.json.links[0]).toMatchObject({ status: 'ok', disposition: 'inline', etag: `"${md5Hex(body)}"` });
    const view = await fetch(links.json.links[0].url);
    expect(Buffer.from(await view.arrayBuffer())).toEqual(body);
  });

  it('is refused by S3 when the Content-Type differs from the signed one (403)', async () => {
    const file = await sign('type.png', body);
    const res = await put(file.url, { ...file.headers, 'content-type': 'text/html' }, body);
    expect(res.status).toBe(403);
  });

  it('is refused by S3 when the length differs from the signed one (403)', async () => {
    const file = await sign('length.png', body);
    const longer = Buffer.concat([body, Buffer.from('!')]);
    const headers = { ...file.headers, 'content-length': String(longer.length), 'content-md5': md5Base64(longer) };
    const res = await put(file.url, headers, longer);
    expect(res.status).toBe(403);
  });

  it('is refused by S3 when the body differs from the signed MD5 (400 BadDigest)', async () => {
    const file = await sign('body.png', body);
    const forged = Buffer.from(body);
    forged[0] = 0;
    const res = await put(file.url, file.headers, forged);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('BadDigest');
  });

  it("is refused by S3 when the MD5 header is swapped for the forged body's (403)", async () => {
    const file = await sign('md5.png', body);
    const forged = Buffer.from(body);
    forged[1] = 0;
    const res = await put(file.url, { ...file.headers, 'content-md5': md5Base64(forged) }, forged);
    expect(res.status).toBe(403);
  });

  it('never overwrites an existing object unless the file asks to, even where the policy allows it (412)', async () => {
    const first = await sign('once.png', body);
    expect((await put(first.url, first.headers, body)).status).toBe(200);
    const second = await sign('once.png', Buffer.from('other bytes'));
    const refused = await put(second.url, second.headers, Buffer.from('other bytes'));
    expect(refused.status).toBe(412);
    const kept = await admin.send(new GetObjectCommand({ Bucket: signer.bucket, Key: first.key }));
    expect(Buffer.from(await kept.Body!.transformToByteArray())).toEqual(body);

    const third = await sign('once.png', Buffer.from('replaced'), 'image/png', overwriting);
    expect(third.headers['if-none-match']).toBe('*');
    expect((await put(third.url, third.headers, Buffer.from('replaced'))).status).toBe(412);
  });

  it('cannot be pointed at another key: the signature covers the path', async () => {
    const file = await sign('mine.png', body);
    const elsewhere = file.url.replace('/users/alice/', '/users/bob/');
    expect(elsewhere).not.toBe(file.url);
    const res = await put(elsewhere, file.headers, body);
    expect(res.status).toBe(403);
  });
});

describe('per-file policy errors', () => {
  it('answers each file on its own: accepted, wrong type, too large, bad path, missing MD5, duplicate', async () => {
    const ok = Buffer.from('hello');
    const res = await callSigner(signer.url, signer.tokens.alice, 'POST', '/v1/batches/sign', {
      batch: 'b2',
      files: [
        { path: 'notes/a.txt', size: 5, type: 'text/plain', md5: md5Base64(ok) },
        { path: 'evil.html', size: 5, type: 'text/html', md5: md5Base64(ok) },
        { path: 'huge.png', size: 2 * 1024 * 1024, type: 'image/png', md5: md5Base64(ok) },
        { path: '../../bob/x.png', size: 5, type: 'image/png', md5: md5Base64(ok) },
        { path: '/etc/passwd', size: 5, type: 'text/plain', md5: md5Base64(ok) },
        { path: 'a//b.png', size: 5, type: 'image/png', md5: md5Base64(ok) },
        { path: 'bell\u0007.png', size: 5, type: 'image/png', md5: md5Base64(ok) },
        { path: `${'x'.repeat(1020)}.png`, size: 5, type: 'image/png', md5: md5Base64(ok) },
        { path: 'no-md5.png', size: 5, type: 'image/png' },
        { path: 'notes\\a.txt', size: 5, type: 'text/plain', md5: md5Base64(ok) },
        { path: 'type.png', size: 5, type: 'image/png; charset=x', md5: md5Base64(ok) },
      ],
    });
    expect(res.status).toBe(200);
    const codes = res.json.files.map((f: { status: string; code?: string }) => f.code ?? f.status);
    expect(codes).toEqual([
      'put',
      'type-not-allowed',
      'too-large',
      'invalid-path',
      'invalid-path',
      'invalid-path',
      'invalid-path',
      'invalid-path',
      'md5-required',
      'duplicate-path',
      'invalid-type',
    ]);
    expect(res.json.files[1].message).toContain('text/html');
    for (const file of res.json.files) if (file.key) expect(file.key.startsWith('users/alice/b2/')).toBe(true);
  });

  it('normalises paths to NFC, so a decomposed name gets the composed key', async () => {
    const body = Buffer.from('x');
    const decomposed = 'cafe\u0301.png';
    const file = await sign(decomposed, body);
    expect(file.key).toBe('users/alice/b1/caf\u00e9.png');
  });
});
