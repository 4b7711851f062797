import { randomBytes } from 'node:crypto';
import { hashToken } from '@hoist/signer-server/auth';
import { parseConfig } from '@hoist/signer-server/config';
import { startSigner } from '@hoist/signer-server/server';
import { Storage } from '@hoist/signer-server/storage';

// A signer in its own process for the benchmark: it reports its own CPU time when asked, so the
// figures are per core of the signer, not of the load generator. With BENCH_QUOTAS it also counts
// quotas, and with BENCH_REDIS_URL it counts limits and quotas in that Redis.
const quotas = process.env.BENCH_QUOTAS ? { bytesPerDay: 1e15, filesPerDay: 1e12, filesPerBatch: 1e12 } : {};
const redis = process.env.BENCH_REDIS_URL ? { redis: { url: process.env.BENCH_REDIS_URL } } : {};
const token = randomBytes(16).toString('hex');
const config = parseConfig({
  port: 0,
  logLevel: 'silent',
  tokenSecret: randomBytes(32).toString('hex'),
  s3: { bucket: 'bench', endpoint: 'http://127.0.0.1:9', forcePathStyle: true },
  // No store behind it: signing a batch of new files asks none, and the start's bucket check would refuse.
  store: { startDegraded: true },
  users: [{ id: 'bench', tokenSha256: hashToken(token), prefix: 'bench' }],
  rateLimit: { max: 10_000_000, windowMs: 60_000 },
  policy: { maxBodyBytes: 16 * 1024 * 1024 },
  quotas,
  ...redis,
});
const storage = new Storage(config.s3, { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' });
const signer = await startSigner(config, { storage });
process.send?.({ url: signer.url, token });
process.on('message', (message) => {
  if (message === 'cpu') process.send?.({ cpu: process.cpuUsage() });
  if (message === 'stop') void signer.close().then(() => process.exit(0));
});
