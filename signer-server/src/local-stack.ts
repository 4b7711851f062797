import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import S3rver from 's3rver';
import { join } from 'node:path';
import { hashToken } from './auth';
import { parseConfig, type SignerConfigInput } from './config';
import { dropInterruptedObjects } from './local-store-repair';
import { startSigner } from './server';
import { Storage } from './storage';

/** The embedded default: s3rver on disk plus a signer in this process, with a fresh development token. */
export interface LocalStack {
  signerUrl: string;
  token: string;
  tokenSecret: string;
  bucket: string;
  s3Endpoint: string;
  dataDir: string;
  stop(): Promise<void>;
}

const BUCKET = 'hoist-local';
const GiB = 1024 ** 3;

/**
 * s3rver has no ListParts and no AbortMultipartUpload, so the signer can neither check a multipart
 * upload before completing it nor clean one up: on the embedded store every file goes as one PUT, which
 * S3 allows up to 5 GiB, and larger files are refused when the batch is planned.
 */
const LOCAL_POLICY = { multipartThreshold: 5 * GiB, maxFileSize: 5 * GiB - 1 };

/** Starts s3rver with its data in `dataDir` and a signer for one user `local`, both on 127.0.0.1. */
export async function startLocalStack(
  dataDir: string,
  options: {
    signerPort?: number;
    policy?: SignerConfigInput['policy'];
    logLevel?: SignerConfigInput['logLevel'];
    /** Reuse a token and secret (a CLI that resumes across runs); fresh ones otherwise. */
    token?: string;
    tokenSecret?: string;
  } = {},
): Promise<LocalStack> {
  await mkdir(dataDir, { recursive: true });
  const s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: dataDir,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await s3.run();
  const s3Endpoint = `http://127.0.0.1:${port}`;
  const token = options.token ?? `hoist_dev_${randomBytes(24).toString('base64url')}`;
  const config = parseConfig({
    port: options.signerPort ?? 0,
    s3: { bucket: BUCKET, endpoint: s3Endpoint, forcePathStyle: true, region: 'us-east-1' },
    users: [{ id: 'local', tokenSha256: hashToken(token), prefix: 'local' }],
    tokenSecret: options.tokenSecret ?? randomBytes(32).toString('base64url'),
    policy: { ...LOCAL_POLICY, ...options.policy },
    logLevel: options.logLevel ?? 'warn',
  });
  // s3rver's fixed development keys; it checks the key but verifies no signature.
  const storage = new Storage(config.s3, { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  const start = () => startSigner(config, { storage, guard: { embedded: true } });
  // A process killed mid-PUT (kill -9, a crash) can leave an object s3rver cannot list, and the signer's
  // own check of the bucket then fails: only then, drop such objects and start it again.
  const signer = await start().catch(async (error: unknown) => {
    if (!(await dropInterruptedObjects(join(dataDir, BUCKET))).length) throw error;
    return start();
  });
  return {
    signerUrl: signer.url,
    token,
    tokenSecret: config.tokenSecret,
    bucket: BUCKET,
    s3Endpoint,
    dataDir,
    stop: async () => {
      await signer.close();
      await s3.close();
    },
  };
}
