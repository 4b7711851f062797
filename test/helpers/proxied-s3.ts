import type { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { startFaultProxy, type FaultProxy } from './fault-proxy';
import { startTestSigner, type TestSigner, type TestSignerOptions } from './signer';
import { adminClient, createTestBucket } from './test-s3';

/** A test file's S3 behind a fault proxy: its bucket, the proxy, and signers whose URLs go through it. */
export interface ProxiedS3 {
  admin: S3Client;
  bucket: string;
  proxy: FaultProxy;
  /** A signer for this bucket whose URLs point at the proxy; stopped after the file's tests. */
  signer(options?: TestSignerOptions): Promise<TestSigner>;
}

/**
 * Registers the hooks of one test file: a fresh bucket on the test S3 and a fault proxy in front of it
 * (Ceph still verifies every signature through it), reset to pass-through after each test.
 */
export function useProxiedS3(): ProxiedS3 {
  const s3 = inject('s3');
  const started: TestSigner[] = [];
  const rig = { admin: adminClient(s3), bucket: '', proxy: undefined as unknown as FaultProxy } as ProxiedS3;
  rig.signer = async (options = {}) => {
    const signer = await startTestSigner({ ...s3, endpoint: rig.proxy.url }, { bucket: rig.bucket, ...options });
    started.push(signer);
    return signer;
  };
  beforeAll(async () => {
    rig.bucket = await createTestBucket(s3);
    rig.proxy = await startFaultProxy(s3.endpoint);
  });
  afterEach(() => rig.proxy.setRule(() => ({ kind: 'pass' })));
  afterAll(async () => {
    for (const signer of started) await signer.close();
    await rig.proxy.close();
    rig.admin.destroy();
  });
  return rig;
}
