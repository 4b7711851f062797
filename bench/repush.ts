import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CephGateway } from '../test/helpers/ceph';
import { freePort } from '../test/helpers/net';
import { createTestBucket } from '../test/helpers/test-s3';
import {
  cpuSeconds,
  DATA,
  hoistCommand,
  emptyBucket,
  type Measure,
  MiB,
  peerEnv,
  serverQuiet,
  startSignerProcess,
  summarize,
  timed,
} from './harness';

// Dataset R, #28's photographer's folder: 16 × 100 MiB clips and 2,000 photos of 48 KiB (1.7 GB, 2,016
// files). Each tool pushes it once into an empty bucket, then again unchanged: Hoist with no option
// (it continues into the folder it went to and trusts its hash cache), `aws s3 sync` and `rclone copy`
// (both compare size and time). The second push must write nothing: the bucket's listing (key, ETag,
// last-modified) is compared before and after it.

const CLIPS = 16;
const PHOTOS = 2000;
const FILES = CLIPS + PHOTOS;

/** The tools side by side. */
type Pusher = 'hoist' | 'aws s3 sync' | 'rclone copy';
const PUSHERS: Pusher[] = ['hoist', 'aws s3 sync', 'rclone copy'];

/** Dataset R under bench/.data/, written once. */
async function photographersFolder(): Promise<string> {
  const dir = join(DATA, 'R');
  if (existsSync(`${dir}.done`)) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, 'clips'), { recursive: true });
  for (let i = 0; i < CLIPS; i++) {
    const handle = await open(join(dir, 'clips', `C${String(i).padStart(4, '0')}.MP4`), 'w');
    for (let m = 0; m < 100; m++) await handle.write(randomBytes(MiB));
    await handle.close();
  }
  for (let i = 0; i < PHOTOS; i++) {
    const day = join(dir, `day${i % 4}`);
    await mkdir(day, { recursive: true });
    await writeFile(join(day, `IMG_${String(i).padStart(4, '0')}.JPG`), randomBytes(48 * 1024));
  }
  await writeFile(`${dir}.done`, '');
  return dir;
}

/** Every object's key, ETag and last-modified time: unchanged means nothing was written. */
async function snapshot(client: S3Client, bucket: string): Promise<string[]> {
  const lines: string[] = [];
  let token: string | undefined;
  do {
    const out = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of out.Contents ?? []) lines.push(`${o.Key} ${o.ETag} ${o.LastModified?.toISOString()}`);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return lines;
}

/** One tool's first push and unchanged re-push into a fresh bucket; throws when the re-push wrote anything. */
async function pushTwice(
  who: Pusher,
  dir: string,
  s3: CephGateway,
  client: S3Client,
): Promise<{ first: Measure; again: Measure }> {
  const bucket = await createTestBucket(s3, 'repush');
  const env = peerEnv(s3);
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-bench-repush-'));
  const signerPort = await freePort();
  const signer =
    who === 'hoist'
      ? await startSignerProcess(s3, bucket, {
          s3Endpoint: s3.endpoint,
          signerPort,
          signerUrl: `http://127.0.0.1:${signerPort}`,
        })
      : undefined;
  const command = (): string[] => {
    if (who === 'rclone copy') return ['rclone', 'copy', dir, `bench:${bucket}/`, '--transfers', '16'];
    if (who === 'aws s3 sync')
      return [
        '/usr/bin/aws',
        's3',
        'sync',
        dir,
        `s3://${bucket}/`,
        '--endpoint-url',
        s3.endpoint,
        '--only-show-errors',
      ];
    const signerArgs = ['--signer', `http://127.0.0.1:${signerPort}`, '--token', signer!.token];
    // BENCH_PROFILE=1 writes a CPU profile of each hoist run to bench/.prof/repush/.
    return hoistCommand(['push', dir, ...signerArgs, '--state-dir', stateDir, '--json'], 'repush');
  };
  const run = async (): Promise<Measure> => {
    await serverQuiet(s3.pids);
    const serverBefore = await cpuSeconds(s3.pids);
    const measure = await timed(command(), env);
    return { ...measure, serverCpu: (await cpuSeconds(s3.pids)) - serverBefore };
  };
  try {
    const first = await run();
    const before = await snapshot(client, bucket);
    if (before.length !== FILES) throw new Error(`${who} left ${before.length} objects, expected ${FILES}`);
    const again = await run();
    const after = await snapshot(client, bucket);
    const written = after.filter((line) => !before.includes(line));
    if (written.length) throw new Error(`${who} wrote ${written.length} objects pushing an unchanged folder again`);
    return { first, again };
  } finally {
    signer?.stop();
    await rm(stateDir, { recursive: true, force: true });
    await emptyBucket(client, bucket);
    await s3.collectGarbage();
  }
}

/**
 * Re-pushing an unchanged folder (#28): each tool's first push and its unchanged re-push, `rounds`
 * rounds interleaved, medians printed beside Hoist's ratios to `aws s3 sync` and `rclone copy`.
 */
export async function benchRepush(s3: CephGateway, client: S3Client, rounds: number): Promise<void> {
  const dir = await photographersFolder();
  const runs: Record<Pusher, { first: Measure[]; again: Measure[] }> = {
    hoist: { first: [], again: [] },
    'aws s3 sync': { first: [], again: [] },
    'rclone copy': { first: [], again: [] },
  };
  for (let round = 1; round <= rounds; round++) {
    for (const who of PUSHERS) {
      const { first, again } = await pushTwice(who, dir, s3, client);
      runs[who].first.push(first);
      runs[who].again.push(again);
      console.log(
        `R ${who} (round ${round}/${rounds}): first push ${first.wall.toFixed(2)} s, unchanged again ` +
          `${again.wall.toFixed(2)} s wall, ${again.cpu.toFixed(2)} s CPU, server ${again.serverCpu!.toFixed(2)} s CPU; nothing written`,
      );
    }
  }
  const medians = Object.fromEntries(
    PUSHERS.map((who) => [who, { first: summarize(runs[who].first), again: summarize(runs[who].again) }]),
  ) as Record<Pusher, { first: Measure; again: Measure }>;
  console.log(`\nR: ${FILES} files, 1.7 GB, pushed once then again unchanged (medians of ${rounds} rounds):`);
  console.table(
    PUSHERS.map((who) => ({
      client: who,
      'first push s': medians[who].first.wall.toFixed(2),
      'again s': medians[who].again.wall.toFixed(2),
      'again CPU s': medians[who].again.cpu.toFixed(2),
      'again server CPU s': medians[who].again.serverCpu!.toFixed(2),
      'again peak RSS MB': Math.round(medians[who].again.rssMb),
    })),
  );
  const ratio = (who: Pusher, phase: 'first' | 'again') =>
    (medians.hoist[phase].wall / medians[who][phase].wall).toFixed(2);
  console.log(
    `R re-push unchanged: hoist/aws s3 sync = ${ratio('aws s3 sync', 'again')} (target <= 1.0), ` +
      `hoist/rclone copy = ${ratio('rclone copy', 'again')} (target <= 1.0); no tool wrote an object; ` +
      `first push hoist/aws s3 sync = ${ratio('aws s3 sync', 'first')}, hoist/rclone copy = ${ratio('rclone copy', 'first')}`,
  );
}
