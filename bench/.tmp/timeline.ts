import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { hashToken } from '@hoist/signer-server/auth';
import { startCeph } from '../../test/helpers/ceph';
import { freePort, waitFor } from '../../test/helpers/net';
import { createTestBucket } from '../../test/helpers/test-s3';
const s3 = await startCeph();
const dir = process.argv[2]!;
for (let round = 0; round < 2; round++) {
  const bucket = await createTestBucket(s3, 'tl');
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const signer = spawn(process.execPath, ['--import', 'tsx', 'signer-server/src/cli.ts'], { stdio: 'ignore', env: { ...process.env,
    AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, HOIST_S3_BUCKET: bucket, HOIST_S3_ENDPOINT: s3.endpoint,
    HOIST_S3_FORCE_PATH_STYLE: 'true', HOIST_SIGNER_PORT: String(port), HOIST_USERS: JSON.stringify([{ id: 'b', tokenSha256: hashToken(token), prefix: 'b' }]),
    HOIST_TOKEN_SECRET: randomBytes(32).toString('hex'), HOIST_LOG_LEVEL: 'silent' } });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/hoist.js', 'push', dir, '--signer', url, '--token', token, '--concurrency', '16', '--state-dir', `/tmp/tl-${Date.now()}`, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let buf = ''; const marks: string[] = []; let files = 0;
  child.stdout.on('data', (d) => { buf += d; let i; while ((i = buf.indexOf('\n')) >= 0) { const line = buf.slice(0, i); buf = buf.slice(i + 1); const ev = JSON.parse(line); const t = (performance.now() - t0).toFixed(0);
    if (ev.type === 'file' || ev.event === 'file') { files++; if (files === 1 || files % 50 === 0) marks.push(`${t} file#${files}`); } else marks.push(`${t} ${line.slice(0, 100)}`); } });
  await new Promise((r) => child.on('exit', r));
  console.log(`round ${round} total ${(performance.now() - t0).toFixed(0)} ms`); console.log(marks.filter((m) => !m.includes('"progress"')).join('\n'));
  signer.kill();
}
await s3.stop();
