import { GetObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BucketUrls } from '@hoist/signer-server/bucket-urls';
import { uriEscape } from '@hoist/signer-server/sigv4';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5Base64 } from '../helpers/hash';
import { createTestBucket } from '../helpers/test-s3';

const s3 = inject('s3');
const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
/** The AWS SDK's client for the test store, leaving out of its URLs the SDK's `x-id`, which S3 does not read. */
function sdkClient(creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }): S3Client {
  const sdk = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: creds,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  sdk.middlewareStack.add(
    (next) => (args) => {
      delete (args.request as { query: Record<string, unknown> }).query['x-id'];
      return next(args);
    },
    { step: 'build' },
  );
  return sdk;
}
const client = sdkClient(credentials);
let bucket = '';
let urls: BucketUrls;

beforeAll(async () => {
  bucket = await createTestBucket(s3);
  urls = new BucketUrls({ bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true });
});
afterAll(() => client.destroy());

const signingDate = new Date('2026-11-29T12:34:56Z');
const keys = [
  'users/a/b/plain.txt',
  'users/a/b/ünïcödé café.png',
  "users/a/b/odd !'()*+&=?#%.bin",
  'users/a/b/日本/語.txt',
];

/** getSignedUrl's `options` with the payload's hash (UNSIGNED-PAYLOAD) signed but kept out of the URL. */
const sdkOptions = (options: Parameters<typeof getSignedUrl>[2]): Parameters<typeof getSignedUrl>[2] => ({
  ...options,
  unhoistableHeaders: new Set(['x-amz-content-sha256']),
  unsignableHeaders: new Set(['x-amz-content-sha256']),
});

describe('the fast presigner makes the URLs of the AWS SDK presigner, less two parameters', () => {
  it.each(keys)('PUT %s', async (key) => {
    const md5 = md5Base64('body');
    const sdk = await getSignedUrl(
      client,
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        ContentType: 'image/png',
        ContentLength: 4,
        ContentMD5: md5,
        IfNoneMatch: '*',
      }),
      sdkOptions({ expiresIn: 900, signingDate, signableHeaders: new Set(['content-type']) }),
    );
    const ours = urls.put(
      credentials,
      key,
      { contentType: 'image/png', size: 4, md5, createOnly: true, ttlSeconds: 900 },
      signingDate,
    );
    expect(ours.url).toBe(sdk);
  });

  it.each(keys)('GET %s', async (key) => {
    const sdk = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: key }),
      sdkOptions({ expiresIn: 3600, signingDate }),
    );
    expect(urls.view(credentials, key, { ttlSeconds: 3600, attachment: false }, signingDate).url).toBe(sdk);
  });

  it.each(keys)('GET %s as an attachment', async (key) => {
    const name = key.slice(key.lastIndexOf('/') + 1);
    const disposition = `attachment; filename*=UTF-8''${uriEscape(name)}`;
    const sdk = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: bucket, Key: key, ResponseContentDisposition: disposition }),
      sdkOptions({ expiresIn: 3600, signingDate }),
    );
    expect(urls.view(credentials, key, { ttlSeconds: 3600, attachment: true }, signingDate).url).toBe(sdk);
  });

  it('UploadPart', async () => {
    const md5 = md5Base64('part');
    const sdk = await getSignedUrl(
      client,
      new UploadPartCommand({
        Bucket: bucket,
        Key: keys[1],
        UploadId: 'up/id+=',
        PartNumber: 7,
        ContentLength: 4,
        ContentMD5: md5,
      }),
      sdkOptions({ expiresIn: 600, signingDate }),
    );
    const ours = urls.part(
      credentials,
      keys[1]!,
      { uploadId: 'up/id+=', partNumber: 7, size: 4, md5 },
      600,
      signingDate,
    );
    expect(ours.url).toBe(sdk);
  });

  it('includes a session token for temporary credentials, and signs again when they change', async () => {
    const temporary = { ...credentials, sessionToken: 'session/token+=' };
    const sdkWith = (creds: typeof temporary) =>
      getSignedUrl(
        sdkClient(creds),
        new GetObjectCommand({ Bucket: bucket, Key: keys[2] }),
        sdkOptions({ expiresIn: 60, signingDate }),
      );
    expect(urls.view(temporary, keys[2]!, { ttlSeconds: 60, attachment: false }, signingDate).url).toBe(
      await sdkWith(temporary),
    );
    const renewed = { ...temporary, secretAccessKey: 'renewed-secret', sessionToken: 'renewed/token' };
    expect(urls.view(renewed, keys[2]!, { ttlSeconds: 60, attachment: false }, signingDate).url).toBe(
      await sdkWith(renewed),
    );
    expect(urls.view(credentials, keys[2]!, { ttlSeconds: 60, attachment: false }, signingDate).url).toBe(
      await getSignedUrl(
        client,
        new GetObjectCommand({ Bucket: bucket, Key: keys[2] }),
        sdkOptions({ expiresIn: 60, signingDate }),
      ),
    );
  });

  it("carries only the parameters AWS documents for a presigned URL, with a part's own two", () => {
    const md5 = md5Base64('part');
    const names = (url: string) => [...new URL(url).searchParams.keys()];
    const documented = [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-Signature',
      'X-Amz-SignedHeaders',
    ];
    const put = urls.put(credentials, keys[0]!, {
      contentType: 'image/png',
      size: 4,
      md5,
      createOnly: true,
      ttlSeconds: 9,
    });
    expect(names(put.url)).toEqual(documented);
    const part = urls.part(credentials, keys[0]!, { uploadId: 'u', partNumber: 2, size: 4, md5 }, 9);
    expect(names(part.url)).toEqual([...documented, 'partNumber', 'uploadId']);
  });
});

describe('its URLs on the verifying S3', () => {
  it('are accepted for a unicode key, and refused once expired (403)', async () => {
    const body = Buffer.from('fresh');
    const key = keys[1]!;
    const fresh = urls.put(credentials, key, {
      contentType: 'image/png',
      size: 5,
      md5: md5Base64(body),
      createOnly: true,
      ttlSeconds: 60,
    });
    expect((await fetch(fresh.url, { method: 'PUT', headers: fresh.headers, body })).status).toBe(200);
    expect(await (await fetch(urls.view(credentials, key, { ttlSeconds: 60, attachment: false }).url)).text()).toBe(
      'fresh',
    );

    const anHourAgo = new Date(Date.now() - 3600_000);
    const stale = urls.put(
      credentials,
      'users/a/b/stale.png',
      { contentType: 'image/png', size: 5, md5: md5Base64(body), createOnly: true, ttlSeconds: 60 },
      anHourAgo,
    );
    const res = await fetch(stale.url, { method: 'PUT', headers: stale.headers, body });
    expect(res.status).toBe(403);
  });

  it('are refused when signed with the wrong secret (403)', async () => {
    const body = Buffer.from('x');
    const forged = urls.put({ ...credentials, secretAccessKey: 'wrong' }, 'users/a/b/forged.png', {
      contentType: 'image/png',
      size: 1,
      md5: md5Base64(body),
      createOnly: true,
      ttlSeconds: 60,
    });
    expect((await fetch(forged.url, { method: 'PUT', headers: forged.headers, body })).status).toBe(403);
  });
});
