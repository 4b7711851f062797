import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startCeph } from '../helpers/ceph';
import { waitFor } from '../helpers/net';

const run = promisify(execFile);

/** The command lines of running processes that name `dir`, one per line; empty when there are none. */
async function processesUsing(dir: string): Promise<string> {
  const { stdout } = await run('ps', ['-eo', 'args']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(dir) && !line.startsWith('ps '))
    .join('\n');
}

// The suite's own machinery: a run must not leave its temp folders behind, and a test S3 that cannot start
// must say why at once. Runs here once filled a shared disk, and Ceph's mon then refused to start.
describe('the test harness', () => {
  it('puts every temp folder of the run, its children’s too, under one folder the run removes', async () => {
    expect(basename(tmpdir())).toMatch(/^hoist-test-run-/);
    const { stdout } = await run(process.execPath, ['-p', 'require("node:os").tmpdir()']);
    expect(stdout.trim()).toBe(tmpdir());
  });

  // The next two need the Ceph binaries, which scripts/setup.sh installs only when no external S3 is named.
  it.skipIf(process.env.HOIST_TEST_S3_ENDPOINT)(
    'starts Ceph with 64 MiB counted as used that no emptying frees, so its drifting count never wraps below zero',
    async () => {
      const s3 = await startCeph();
      try {
        // Reported every few seconds; without the ballast the count stays near 40 KB.
        await waitFor(async () => (await s3.usedBytes()) >= 64n * 1024n * 1024n, 20_000);
        // A count wrapped below zero reads as nearly 2^64.
        expect(await s3.usedBytes()).toBeLessThan(1n << 40n);
      } finally {
        await s3.stop();
      }
    },
    90_000,
  );

  it.skipIf(process.env.HOIST_TEST_S3_ENDPOINT)(
    'fails the Ceph start at once, with the exit code and log, when a daemon exits',
    async () => {
      const started = Date.now();
      const error: Error = await startCeph('mon data avail crit = 100').then(
        () => expect.fail('the mon started on a disk it counts as full'),
        (reason: Error) => reason,
      );
      const log = /its log: (\/tmp\/hc-[^/]+)\/log\/mon\.a\.log$/.exec(error.message);
      try {
        expect(Date.now() - started).toBeLessThan(10_000);
        expect(error.message).toMatch(/^`ceph-mon` exited with code 28 \(ENOSPC\); its log: /);
        expect(log).not.toBeNull();
        // The `ceph osd new` that was waiting on the mon is aborted, not left to its own 30 s timeout.
        await waitFor(async () => (await processesUsing(log![1]!)) === '', 3000);
      } finally {
        if (log) await rm(log[1]!, { recursive: true, force: true });
      }
    },
  );
});
