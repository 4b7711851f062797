import { createHash } from 'node:crypto';
import { open, rm, stat, truncate, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashPool, type HashTarget, type PartDigest } from '../../src/engine/hashing/hash-pool';
import { bytes, makeFolder } from '../helpers/folders';

const MiB = 1024 * 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

async function target(path: string): Promise<HashTarget> {
  const { size, mtimeMs } = await stat(path);
  return { absolutePath: path, size, mtimeMs };
}

/** A file of `size` zero bytes that takes no disk space, so tests can hash gigabytes cheaply. */
async function sparseFile(dir: string, name: string, size: number): Promise<string> {
  const path = join(dir, name);
  const handle = await open(path, 'w');
  await handle.truncate(size);
  await handle.close();
  return path;
}

let pool: HashPool;
afterEach(async () => pool?.close());

describe('the hash pool', () => {
  it("posts each part's MD5 in order and the whole file's, from one read on a worker thread", async () => {
    pool = new HashPool(1);
    const data = bytes(12 * MiB + 3);
    const dir = await makeFolder({ 'big.bin': data });
    const parts = pool.hashParts(await target(join(dir, 'big.bin')), 5 * MiB);
    const got: PartDigest[] = [];
    for (let part = await parts.next(); part; part = await parts.next()) got.push(part);
    expect(got.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(got.map((p) => p.md5.hex)).toEqual([
      md5(data.subarray(0, 5 * MiB)),
      md5(data.subarray(5 * MiB, 10 * MiB)),
      md5(data.subarray(10 * MiB)),
    ]);
    expect(got[0]!.md5.base64).toBe(Buffer.from(got[0]!.md5.hex, 'hex').toString('base64'));
    expect((await parts.whole).hex).toBe(md5(data));
  });

  it('hashes several files at once on its threads, each right', async () => {
    pool = new HashPool(2);
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.bin`, bytes(MiB + i)]));
    const dir = await makeFolder(files);
    const digests = await Promise.all(
      Object.keys(files).map(async (name) => (await pool.hashFile(await target(join(dir, name)))).hex),
    );
    expect(digests).toEqual(Object.values(files).map(md5));
  });

  it('hands out parts already hashed without waiting, at most as many as asked', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({ 'big.bin': bytes(30 * MiB) });
    const parts = pool.hashParts(await target(join(dir, 'big.bin')), 5 * MiB);
    await parts.whole;
    expect((await parts.next())?.n).toBe(1);
    expect(parts.takeReady(3).map((p) => p.n)).toEqual([2, 3, 4]);
    expect(parts.takeReady(10).map((p) => p.n)).toEqual([5, 6]);
    expect(await parts.next()).toBeUndefined();
  });

  it('fails a file changed since it was scanned, a deleted file and an unreadable one, each with its reason', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({ 'changed.bin': bytes(MiB), 'gone.bin': bytes(MiB) });
    const changed = await target(join(dir, 'changed.bin'));
    await utimes(changed.absolutePath, new Date(), new Date(Date.now() + 60_000));
    await expect(pool.hashFile(changed)).rejects.toMatchObject({ code: 'changed-since-scan' });

    const gone = await target(join(dir, 'gone.bin'));
    await rm(gone.absolutePath);
    await expect(pool.hashFile(gone)).rejects.toMatchObject({ code: 'file-missing' });

    await expect(pool.hashFile(await target(dir))).rejects.toMatchObject({
      code: 'unreadable',
      message: expect.stringContaining('EISDIR'),
    });
  });

  it('fails a file truncated while it is being hashed: changed during upload', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({});
    const path = await sparseFile(dir, 'shrinks.bin', 2048 * MiB);
    const parts = pool.hashParts(await target(path), 8 * MiB);
    expect((await parts.next())?.n).toBe(1);
    await truncate(path, 9 * MiB);
    await expect(parts.whole).rejects.toMatchObject({ code: 'changed-during-upload' });
  });

  it('stops reading a file once told to, and its thread moves on to the next job', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({ 'small.bin': bytes(MiB) });
    // Hashing 4 GiB takes this machine well over 5 s; a stopped job must free the thread long before.
    const huge = pool.hashParts(await target(await sparseFile(dir, 'huge.bin', 4096 * MiB)), 8 * MiB);
    expect((await huge.next())?.n).toBe(1);
    const started = performance.now();
    huge.stop();
    await expect(huge.next()).rejects.toMatchObject({ code: 'cancelled' });
    await expect(huge.whole).rejects.toMatchObject({ code: 'cancelled' });
    const small = await pool.hashFile(await target(join(dir, 'small.bin')));
    expect(small.hex).toHaveLength(32);
    expect(performance.now() - started).toBeLessThan(2500);
  });

  it('fails the jobs still running when closed', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({});
    const job = pool.hashFile(await target(await sparseFile(dir, 'huge.bin', 2048 * MiB)));
    await pool.close();
    await expect(job).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('keeps small files on one thread, and starts a second only for a backlog of big ones', async () => {
    pool = new HashPool(2);
    const data = bytes(MiB);
    const dir = await makeFolder({ 'a.bin': data });
    const small = await target(join(dir, 'a.bin'));
    const digests = await Promise.all(Array.from({ length: 8 }, () => pool.hashFile(small)));
    expect(new Set(digests.map((d) => d.hex))).toEqual(new Set([md5(data)]));
    expect(pool.threads).toBe(1);
    const big = await target(await sparseFile(dir, 'big.bin', 256 * MiB));
    await Promise.all([pool.hashFile(big), pool.hashFile(big)]);
    expect(pool.threads).toBe(2);
  });

  it('ends a thread that has been idle for a while, and starts one again for the next job', async () => {
    pool = new HashPool(2, { idleMs: 100 });
    const dir = await makeFolder({});
    const big = await target(await sparseFile(dir, 'big.bin', 128 * MiB));
    // Counted as the jobs are handed out: the first thread to finish may end before the other does.
    const both = [pool.hashFile(big), pool.hashFile(big)];
    expect(pool.threads).toBe(2);
    await Promise.all(both);
    await expect.poll(() => pool.threads, { timeout: 5000 }).toBe(0);
    expect((await pool.hashFile(big)).hex).toHaveLength(32);
    expect(pool.threads).toBe(1);
  });

  it('starts a thread ahead of the first job when warmed, and ends it if no job comes', async () => {
    pool = new HashPool(2, { idleMs: 100 });
    pool.warm();
    expect(pool.threads).toBe(1);
    await expect.poll(() => pool.threads, { timeout: 5000 }).toBe(0);
  });

  it('reads small files whole, each with its MD5 and exactly its bytes, and says why one could not be', async () => {
    pool = new HashPool(1);
    const files = { 'a.txt': bytes(4096), empty: Buffer.alloc(0), 'ünï 文件.bin': bytes(64 * 1024), gone: bytes(10) };
    const dir = await makeFolder({ ...files, 'changed.txt': bytes(100) });
    const targets = await Promise.all([...Object.keys(files), 'changed.txt'].map((n) => target(join(dir, n))));
    await rm(join(dir, 'gone'));
    await utimes(join(dir, 'changed.txt'), new Date(), new Date(Date.now() + 60_000));
    const reads = await pool.readSmall([...targets, await target(dir)]);
    Object.values(files)
      .slice(0, 3)
      .forEach((data, i) => {
        const read = reads[i]!;
        if ('error' in read) throw read.error;
        expect(read.bytes.equals(data)).toBe(true);
        expect(read.md5.hex).toBe(md5(data));
      });
    expect(reads.slice(3).map((r) => ('error' in r ? r.error : r))).toMatchObject([
      { code: 'file-missing' },
      { code: 'changed-since-scan' },
      { code: 'unreadable', message: expect.stringContaining('EISDIR') },
    ]);
  });

  it('reads small files at once, not after a long hash job on the same thread', async () => {
    pool = new HashPool(1);
    const dir = await makeFolder({ 'small.txt': bytes(1000) });
    // Hashing 4 GiB takes this machine well over 5 s.
    const huge = pool.hashParts(await target(await sparseFile(dir, 'huge.bin', 4096 * MiB)), 8 * MiB);
    expect((await huge.next())?.n).toBe(1);
    const started = performance.now();
    const [read] = await pool.readSmall([await target(join(dir, 'small.txt'))]);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(read).toHaveProperty('bytes');
    huge.stop();
  });

  it('names the offending size', () => {
    expect(() => new HashPool(0)).toThrow('Expected `size` to be a whole number from 1 and up, got `0`');
  });
});
