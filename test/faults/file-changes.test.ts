import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { BatchReport } from '../../src/shared/outcome';
import { expectNothingLost, faultEngine } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// Real file changes while the bytes are on their way: the upload is slowed by the engine's bandwidth
// limit, and the file is rewritten, truncated or deleted once part of it has been sent.
const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

type Change = (path: string, size: number) => Promise<void>;
const CHANGES: [string, Change][] = [
  ['modified', (path, size) => writeFile(path, bytes(size), { flag: 'r+' })],
  ['truncated', (path, size) => truncate(path, Math.floor(size / 3))],
  ['deleted', (path) => unlink(path)],
];

/** Uploads one file and applies `change` once `afterBytes` of it were sent. */
async function uploadWhileChanging(name: string, size: number, change: Change, afterBytes: number) {
  const files = { [name]: bytes(size) };
  const root = await makeFolder(files);
  const engine = await faultEngine(signer.url, signer.tokens.alice, { bandwidth: 4 * MiB, concurrency: 2 });
  const batch = engine.batch(root);
  let changed = false;
  batch.on('progress', (p) => {
    // Bytes handed to the connection (the file's own count), not those S3 has confirmed: the change
    // must land while the file is still on its way.
    if (changed || (p.active[0]?.bytesDone ?? 0) < afterBytes) return;
    changed = true;
    void change(join(root, name), size);
  });
  const report: BatchReport = await batch.run();
  engine.close();
  expect(changed).toBe(true);
  return { report, files, outcome: [...report.files][0]! };
}

describe('files that change during their upload', () => {
  it.each(CHANGES)('a %s file never ends as an object mixing old and new bytes', async (kind, change) => {
    const single = await uploadWhileChanging(`single-${kind}.bin`, 3 * MiB, change, 512 * 1024);
    const multi = await uploadWhileChanging(`multi-${kind}.bin`, 16 * MiB, change, 6 * MiB);
    for (const { report, files, outcome } of [single, multi]) {
      // Either the object is the file exactly as it was scanned, or the file failed with a reason and
      // left nothing behind (a multipart upload is aborted on S3).
      if (outcome.status === 'failed') expect(outcome.code).toMatch(/changed|missing/u);
      await expectNothingLost(
        `file ${kind} during upload`,
        { injected: 1, filesAffected: 1 },
        admin,
        signer.bucket,
        report,
        files,
      );
    }
    if (kind !== 'deleted') expect([single.outcome.status, multi.outcome.status]).toEqual(['failed', 'failed']);
    if (multi.outcome.status === 'failed') {
      const listed = await admin.send(
        new ListMultipartUploadsCommand({ Bucket: signer.bucket, Prefix: multi.outcome.key }),
      );
      expect(listed.Uploads ?? []).toEqual([]);
    }
  });
});
