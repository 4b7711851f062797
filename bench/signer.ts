import { execFileSync, fork, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BucketUrls } from '@hoist/signer-server/bucket-urls';
import { Agent, request } from 'node:http';

// `npm run bench:signer`: signing rate of the SDK presigner and of Hoist's presigner side by side,
// then the signer over HTTP for batches of 1, 100 and 1000 files (two URLs per file: PUT and view).

const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };
const md5 = createHash('md5').update('x').digest('base64');
const endpoint = 'http://127.0.0.1:9';

async function sdkRate(seconds: number): Promise<{ rate: number; sample: string }> {
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const signingDate = new Date();
  const sign = (i: number) =>
    getSignedUrl(
      client,
      new PutObjectCommand({
        Bucket: 'bench',
        Key: `bench/b/file-${i}.jpg`,
        ContentType: 'image/jpeg',
        ContentLength: 1,
        ContentMD5: md5,
        IfNoneMatch: '*',
      }),
      { expiresIn: 900, signingDate, signableHeaders: new Set(['content-type']) },
    );
  for (let i = 0; i < 500; i++) await sign(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) await sign(n++);
  return { rate: n / ((performance.now() - start) / 1000), sample: await sign(0) };
}

function hoistRate(seconds: number): { rate: number; sample: string } {
  const urls = new BucketUrls({ bucket: 'bench', region: 'us-east-1', endpoint, forcePathStyle: true });
  const now = new Date();
  const sign = (i: number) =>
    urls.put(
      credentials,
      `bench/b/file-${i}.jpg`,
      { contentType: 'image/jpeg', size: 1, md5, createOnly: true, ttlSeconds: 900 },
      now,
    ).url;
  for (let i = 0; i < 5000; i++) sign(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) for (let j = 0; j < 100; j++) sign(n++);
  return { rate: n / ((performance.now() - start) / 1000), sample: sign(0) };
}

const agent = new Agent({ keepAlive: true, maxSockets: 8 });

function post(url: string, token: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request(
      `${url}/v1/batches/sign`,
      {
        method: 'POST',
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function httpRun(batch: number, seconds: number, inFlight: number, env: NodeJS.ProcessEnv = {}) {
  const child = fork(new URL('./signer-child.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  const ready = await new Promise<{ url: string; token: string }>((resolve) =>
    child.once('message', (m) => resolve(m as { url: string; token: string })),
  );
  const cpu = () =>
    new Promise<NodeJS.CpuUsage>((resolve) => {
      child.once('message', (m) => resolve((m as { cpu: NodeJS.CpuUsage }).cpu));
      child.send('cpu');
    });
  let counter = 0;
  const body = () =>
    JSON.stringify({
      batch: 'bench',
      files: Array.from({ length: batch }, () => ({
        path: `dir/file-${counter++}.jpg`,
        size: 1000,
        type: 'image/jpeg',
        md5,
      })),
    });
  for (let i = 0; i < 20; i++) await post(ready.url, ready.token, body());
  const before = await cpu();
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) latencies.push(await post(ready.url, ready.token, body()));
    }),
  );
  const wall = (performance.now() - start) / 1000;
  const after = await cpu();
  child.send('stop');
  const cpuSeconds = (after.user - before.user + after.system - before.system) / 1e6;
  const urls = latencies.length * batch * 2;
  latencies.sort((a, b) => a - b);
  return {
    batch,
    requests: latencies.length,
    urlsPerSecond: urls / wall,
    urlsPerCpuSecond: urls / cpuSeconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const sdk = await sdkRate(seconds);
const hoist = hoistRate(seconds);
const strip = (url: string) => url.replace(/X-Amz-Date=[^&]+&/u, '').replace(/X-Amz-Signature=[^&]+&/u, '');
console.log('\nPresigning a PUT URL (content-type, length, MD5, If-None-Match signed), one thread:');
console.table([
  { signer: '@aws-sdk/s3-request-presigner getSignedUrl', 'URLs/s': Math.round(sdk.rate) },
  { signer: 'Hoist QueryPresigner (node:crypto)', 'URLs/s': Math.round(hoist.rate) },
]);
console.log(
  `ratio Hoist / SDK: ${(hoist.rate / sdk.rate).toFixed(1)}x (target >= 10x); same URL shape: ${strip(sdk.sample) === strip(hoist.sample)}`,
);

console.log(
  `\nSigner over HTTP (separate process; URLs per CPU-second of the signer = per core), ${seconds}s each, 2 requests in flight:`,
);
const rows = [];
for (const batch of [1, 100, 1000]) {
  const r = await httpRun(batch, seconds, 2);
  rows.push({
    'files/request': r.batch,
    requests: r.requests,
    'URLs/s (wall)': Math.round(r.urlsPerSecond),
    'URLs per core-second': Math.round(r.urlsPerCpuSecond),
    'p50 ms': r.p50.toFixed(1),
    'p99 ms': r.p99.toFixed(1),
  });
}
console.table(rows);
console.log(
  `SDK presigner alone: ${Math.round(sdk.rate)} URLs/s; ratio of the 1000-file HTTP path per core to it: ${(rows[2]!['URLs per core-second'] / sdk.rate).toFixed(1)}x; p99 of a 1000-file batch: ${rows[2]!['p99 ms']} ms (target < 250 ms)`,
);

/** Commands a redis-server has processed so far, from INFO. */
const redisCommands = (port: number): number =>
  Number(
    /total_commands_processed:(\d+)/u.exec(
      execFileSync('redis-cli', ['-p', String(port), 'info', 'stats'], { encoding: 'utf8' }),
    )?.[1],
  );

// What Redis adds per signed batch: the same signer, limits and quotas, counted in memory, then in a
// real redis-server on loopback (Debian's), batches of 100 files.
const redisPort = 6400 + Math.floor(Math.random() * 500);
const redisServer = spawn('redis-server', ['--port', String(redisPort), '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
await new Promise((done) => setTimeout(done, 500));
const memory = await httpRun(100, seconds, 2, { BENCH_QUOTAS: '1' });
const commandsBefore = redisCommands(redisPort);
const shared = await httpRun(100, seconds, 2, { BENCH_QUOTAS: '1', BENCH_REDIS_URL: `redis://127.0.0.1:${redisPort}` });
const commands = redisCommands(redisPort) - commandsBefore;
redisServer.kill();
console.log(
  `\nLimits and quotas (bytes and files a day, files a batch) counted in memory, then in Redis, ${seconds}s each, 100-file batches:`,
);
console.table(
  [
    ['memory (one replica)', memory],
    ['redis (every replica)', shared],
  ].map(([name, r]) => {
    const run = r as typeof memory;
    return {
      counters: name,
      requests: run.requests,
      'URLs/s (wall)': Math.round(run.urlsPerSecond),
      'URLs per core-second': Math.round(run.urlsPerCpuSecond),
      'p50 ms': run.p50.toFixed(2),
      'p99 ms': run.p99.toFixed(2),
    };
  }),
);
console.log(
  `Redis adds ${(shared.p50 - memory.p50).toFixed(2)} ms at p50 per signed batch (${(shared.p99 - memory.p99).toFixed(2)} ms at p99), ` +
    `${(commands / shared.requests).toFixed(1)} Redis commands per batch (warm-up included); ` +
    `throughput ratio redis / memory: ${(shared.urlsPerSecond / memory.urlsPerSecond).toFixed(2)}x`,
);
agent.destroy();
