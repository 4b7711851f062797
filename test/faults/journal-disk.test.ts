import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { expectNothingLost } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// The state folder (journal, reports) on a real small disk: a tmpfs mounted for the test, filled up
// or remounted read-only. Uploads must go on, with a warning that says what was lost (resume after a
// crash), and every file must still be verified.
const s3 = inject('s3');
const admin = adminClient(s3);
const mounts: string[] = [];
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3);
});
afterAll(async () => {
  for (const dir of mounts) execFileSync('umount', [dir]);
  await signer.close();
  admin.destroy();
});

/** Mounts a tmpfs of `kib` KiB; throws with the reason when this machine does not allow mounting. */
async function smallDisk(kib: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hoist-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k`, 'hoist-test', dir], { stdio: 'pipe' });
  } catch (error) {
    throw new Error(`These tests mount a small tmpfs and need root with CAP_SYS_ADMIN: ${(error as Error).message}`, {
      cause: error,
    });
  }
  mounts.push(dir);
  return dir;
}

async function uploadWithStateIn(stateDir: string) {
  const files = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`j/${i}.bin`, bytes(2000 + i)]));
  const root = await makeFolder(files);
  const engine = new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir, concurrency: 4 });
  const batch = engine.batch(root);
  const warnings: string[] = [];
  batch.on('warning', (w) => warnings.push(w));
  const report = await batch.run();
  engine.close();
  return { report, files, warnings };
}

describe('the journal on a disk that fails', () => {
  it('keeps uploading when the disk is full, and says resume is lost', async () => {
    const disk = await smallDisk(64);
    await mkdir(join(disk, 'journals'));
    // Fill the disk: tmpfs refuses the write that does not fit.
    await writeFile(join(disk, 'filler'), Buffer.alloc(64 * 1024)).catch(() => undefined);
    const { report, files, warnings } = await uploadWithStateIn(disk);
    expect(warnings.join('\n')).toMatch(/Cannot write the journal .*ENOSPC.*a crash now would mean starting over/u);
    expect(report.counts).toEqual({ uploaded: 20, skipped: 0, rejected: 0, failed: 0 });
    await expectNothingLost(
      'journal disk full',
      { injected: 1, filesAffected: 20 },
      admin,
      signer.bucket,
      report,
      files,
    );
  });

  it('keeps uploading when the disk is read-only', async () => {
    const disk = await smallDisk(1024);
    await mkdir(join(disk, 'journals'));
    execFileSync('mount', ['-o', 'remount,ro', disk]);
    const { report, files, warnings } = await uploadWithStateIn(disk);
    expect(warnings.join('\n')).toMatch(/Cannot open the journal .*EROFS/u);
    expect(report.counts).toEqual({ uploaded: 20, skipped: 0, rejected: 0, failed: 0 });
    await expectNothingLost(
      'journal disk read-only',
      { injected: 1, filesAffected: 20 },
      admin,
      signer.bucket,
      report,
      files,
    );
  });
});
