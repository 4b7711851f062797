import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { startCeph, type S3Endpoint } from './ceph';

export type { S3Endpoint } from './ceph';

/** The S3 the suite runs against: the one named by HOIST_TEST_S3_* variables, or a fresh local Ceph RGW. */
export async function startTestS3(
  env: NodeJS.ProcessEnv = process.env,
): Promise<S3Endpoint & { stop(): Promise<void> }> {
  const endpoint = env.HOIST_TEST_S3_ENDPOINT;
  if (!endpoint) return startCeph();
  const accessKeyId = env.HOIST_TEST_S3_ACCESS_KEY_ID ?? env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.HOIST_TEST_S3_SECRET_ACCESS_KEY ?? env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new Error(
      'Expected `HOIST_TEST_S3_ACCESS_KEY_ID` and `HOIST_TEST_S3_SECRET_ACCESS_KEY` with `HOIST_TEST_S3_ENDPOINT`',
    );
  }
  return {
    endpoint,
    region: env.HOIST_TEST_S3_REGION ?? 'us-east-1',
    accessKeyId,
    secretAccessKey,
    verifies: env.HOIST_TEST_S3_VERIFIES !== 'false',
    ...(env.HOIST_TEST_S3_ROLE_ARN ? { roleArn: env.HOIST_TEST_S3_ROLE_ARN } : {}),
    stop: async () => undefined,
  };
}

/** An SDK client with full rights on the test S3, for arranging and checking state in tests. */
export function adminClient(s3: S3Endpoint): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates a bucket with a unique name on the test S3 and returns its name. */
export async function createTestBucket(s3: S3Endpoint, prefix = 'hoist-test'): Promise<string> {
  const bucket = `${prefix}-${randomBytes(4).toString('hex')}`;
  const client = adminClient(s3);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  return bucket;
}
