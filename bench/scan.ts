import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DATA, hoistPush, type Measure, startSignerProcess, summarize, timed } from './harness';
import type { CephGateway } from '../test/helpers/ceph';
import { freePort } from '../test/helpers/net';
import { createTestBucket } from '../test/helpers/test-s3';

// Dataset S, scanning (#31): 100,000 empty files and 1,000,000 files of 64 bytes, each in 1,000 folders.
// `hoist push --dry-run` (the scan and every decision a batch makes, no byte sent; start-up and the
// signer's policy included) beside rclone's own walks of the same tree, `rclone size` and
// `rclone lsf -R`, side by side, medians of the rounds; peak RSS the highest.

/** A tree of `files` files of `size` bytes in 1,000 folders under bench/.data/, written once. */
export function tree(name: string, files: number, size: number): string {
  const dir = join(DATA, name);
  if (existsSync(`${dir}.done`)) return dir;
  const bytes = Buffer.alloc(size, 'x');
  for (let f = 0; f < 1000; f++) mkdirSync(join(dir, `d${f}`), { recursive: true });
  for (let i = 0; i < files; i++) writeFileSync(join(dir, `d${i % 1000}`, `f${i}`), bytes);
  writeFileSync(`${dir}.done`, '');
  return dir;
}

const TREES = [
  { name: 'scan100k', files: 100_000, size: 0, target: 'hoist <= 1.0 s' },
  { name: 'scan1m', files: 1_000_000, size: 64, target: 'hoist <= 3 x rclone size, peak RSS <= 300 MB' },
];

/** Dry-runs of each tree beside rclone's walks of it, on a signer of Hoist's own; prints each and their ratios. */
export async function benchScan(s3: CephGateway, rounds: number): Promise<void> {
  const bucket = await createTestBucket(s3, 'scan');
  const signerPort = await freePort();
  const signerUrl = `http://127.0.0.1:${signerPort}`;
  const signer = await startSignerProcess(s3, bucket, { s3Endpoint: s3.endpoint, signerPort, signerUrl });
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-bench-scan-'));
  try {
    for (const { name, files, size, target } of TREES) {
      const dir = tree(name, files, size);
      const commands: Record<string, string[]> = {
        'hoist --dry-run': hoistPush(dir, { url: signerUrl, token: signer.token }, stateDir, '--dry-run'),
        'rclone size': ['rclone', 'size', dir],
        'rclone lsf -R': ['rclone', 'lsf', '-R', dir],
      };
      const runs: Record<string, Measure[]> = {};
      for (let round = 1; round <= rounds; round++)
        for (const [who, command] of Object.entries(commands)) {
          const m = await timed(command, { ...process.env, RCLONE_CONFIG: '/dev/null' });
          (runs[who] ??= []).push(m);
          console.log(
            `${name} ${who} (round ${round}/${rounds}): ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ${Math.round(m.rssMb)} MB peak RSS`,
          );
        }
      const [hoist, sized, lsf] = Object.keys(commands).map((who) => summarize(runs[who]!)) as [
        Measure,
        Measure,
        Measure,
      ];
      console.log(
        `Scanning ${files.toLocaleString('en')} files (${name}): hoist --dry-run ${hoist.wall.toFixed(2)} s, ` +
          `${Math.round(hoist.rssMb)} MB peak RSS; rclone size ${sized.wall.toFixed(2)} s, rclone lsf -R ${lsf.wall.toFixed(2)} s; ` +
          `hoist/rclone size ${(hoist.wall / sized.wall).toFixed(2)}, hoist/rclone lsf ${(hoist.wall / lsf.wall).toFixed(2)} (target: ${target})`,
      );
    }
  } finally {
    signer.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
