import { execFileSync } from 'node:child_process';
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { HashPool } from '../../src/engine/hashing/hash-pool';
import { bytes, makeFolder } from '../helpers/folders';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

// An unchanged folder pushed again is decided from the listing and the hash cache: no file is read.
const MiB = 1024 * 1024;
const rig = useProxiedS3();
let signer: TestSigner;

beforeAll(async () => {
  signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
});
afterEach(() => vi.restoreAllMocks());

async function push(root: string, stateDir: string) {
  const engine = new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir });
  try {
    return await engine.batch(root, { destination: 'again' }).run();
  } finally {
    engine.close();
  }
}

describe('pushing an unchanged folder again', () => {
  it('reads no file, multipart files included, and still catches a file changed with its time put back', async () => {
    const root = await makeFolder({ 'a.jpg': bytes(3000), 'b.jpg': bytes(70_000), 'c.mov': bytes(11 * MiB) });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-repush-'));
    // The upload keeps each file's digests (MD5, multipart ETag) in the hash cache.
    expect((await push(root, stateDir)).counts.uploaded).toBe(3);

    const reads = [vi.spyOn(HashPool.prototype, 'readSmall'), vi.spyOn(HashPool.prototype, 'hashParts')];
    const again = await push(root, stateDir);
    expect(again.counts).toEqual({ uploaded: 0, skipped: 3, rejected: 0, failed: 0 });
    expect(again.bytesUploaded).toBe(0);
    for (const read of reads) expect(read).not.toHaveBeenCalled();

    // Same size, same modification time, other bytes: the change time gives it away.
    const path = join(root, 'a.jpg');
    const { mtimeNs } = await stat(path, { bigint: true });
    await writeFile(path, bytes(3000).reverse());
    const at = `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`;
    execFileSync('touch', ['-m', '-d', at, path]);
    expect((await stat(path, { bigint: true })).mtimeNs).toBe(mtimeNs);
    const changed = await push(root, stateDir);
    expect([...changed.files].find((f) => f.path === 'a.jpg')).toMatchObject({ status: 'skipped', code: 'conflict' });
    expect(changed.counts.skipped).toBe(3);
  });
});
