import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { LATE_BODY_MS, shortAnswerLag } from '../../signer-server/src/access/answer-lag';
import { BucketUrls } from '../../signer-server/src/bucket-urls';
import { startCeph, type CephGateway } from '../helpers/ceph';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { createTestBucket } from '../helpers/test-s3';

// The suite's RGW runs beast with tcp_nodelay=1; this one with beast's default, Nagle's algorithm on.
const tuned = inject('s3');
let nagle: CephGateway;
const signers: TestSigner[] = [];

beforeAll(async () => {
  nagle = await startCeph('', { nagle: true });
});
afterAll(async () => {
  for (const signer of signers) await signer.close();
  await nagle.stop();
});

/** How late the store's short answers bring their bodies, timed as the signer does at start. */
async function lagOf(s3: typeof tuned): Promise<number> {
  const bucket = await createTestBucket(s3);
  const urls = new BucketUrls({ bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true });
  return shortAnswerLag(urls, { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
}

/** A signer on `s3`, and the warning it logged as it started about late short answers. */
async function startWarning(s3: typeof tuned): Promise<Record<string, unknown> | undefined> {
  const signer = await startTestSigner(s3, { scoped: false });
  signers.push(signer);
  return signer.logs.find((line) => 'shortAnswerLagMs' in line);
}

describe("the signer times the store's short answers at start", () => {
  it('finds RGW with Nagle on holding each body back for a delayed ACK, and tuned RGW not', async () => {
    expect(await lagOf(nagle)).toBeGreaterThanOrEqual(30);
    expect(await lagOf(tuned)).toBeLessThan(LATE_BODY_MS);
  });

  it('warns of a store that holds them back and names the fix; says nothing of one that does not', async () => {
    const warning = await startWarning(nagle);
    expect(warning).toMatchObject({ level: 40 });
    expect(warning!.shortAnswerLagMs).toBeGreaterThanOrEqual(30);
    expect(String(warning!.msg)).toContain('on Ceph RGW, add `tcp_nodelay=1` to `rgw frontends`');
    expect(await startWarning(tuned)).toBeUndefined();
  });
});
