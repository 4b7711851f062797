import { execFileSync } from 'node:child_process';
import { mkdtemp, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { planFolder, UploadEngine, withViewLinks } from '../../src/engine';
import { HashPool } from '../../src/engine/hashing/hash-pool';
import { SignerClient } from '../../src/engine/signer/signer-client';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

const s3 = inject('s3');
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signer: TestSigner;
let stateDir: string;

beforeAll(async () => {
  signer = await startTestSigner(s3, { policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
  stateDir = await mkdtemp(join(tmpdir(), 'hoist-state-'));
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});
afterEach(() => vi.restoreAllMocks());

const engineFor = (token = signer.tokens.alice, extra = {}) =>
  new UploadEngine({
    signerUrl: signer.url,
    token,
    stateDir,
    concurrency: 4,
    retry: { retries: 3, minDelayMs: 50, maxDelayMs: 200 },
    ...extra,
  });

describe('the engine against the real signer and the verifying S3', () => {
  it('uploads small, empty, unicode-named and multipart files; every object matches its source', async () => {
    const files: Record<string, Buffer> = {
      'a.txt': Buffer.from('hello'),
      'empty.bin': Buffer.alloc(0),
      'photos/ünïcödé 写真.jpg': bytes(10_000),
      'deep/er/still/file.json': Buffer.from('{"a":1}'),
      'big/video.mp4': bytes(12 * MiB + 7),
      '.DS_Store': Buffer.from('junk'),
      '.git/HEAD': Buffer.from('ref'),
    };
    const root = await makeFolder(files);
    const engine = engineFor();
    const batch = engine.batch(root);
    const snapshots: number[] = [];
    batch.on('progress', (p) => snapshots.push(p.bytes.done));
    const report = await batch.run();
    engine.close();

    expect(report.counts).toEqual({ uploaded: 5, skipped: 2, rejected: 0, failed: 0 });
    const prefix = `users/alice/${batch.id}/`;
    const keys = (await listKeys(admin, signer.bucket, prefix)).sort();
    expect(keys).toEqual(
      ['a.txt', 'big/video.mp4', 'deep/er/still/file.json', 'empty.bin', 'photos/ünïcödé 写真.jpg']
        .map((k) => prefix + k)
        .sort(),
    );
    for (const file of [...report.files].filter((f) => f.status === 'uploaded')) {
      const source = files[file.path]!;
      expect(file.md5).toBe(md5Hex(source));
      expect(await objectMd5(admin, signer.bucket, file.key!)).toBe(md5Hex(source));
      expect(file.etag).toBeTruthy();
    }
    const big = [...report.files].find((f) => f.path === 'big/video.mp4')!;
    expect(big.etag).toMatch(/-3"$/u);
    const skipped = [...report.files]
      .filter((f) => f.status === 'skipped')
      .map((f) => f.path)
      .sort();
    expect(skipped).toEqual(['.DS_Store', '.git/']);
    expect(snapshots.at(-1)).toBe(12 * MiB + 7 + 5 + 10_000 + 7);
  });

  it("hashes a file's parts while the signer plans it, once; again only when the plan's part size differs", async () => {
    const source = bytes(11 * MiB + 3);
    const root = await makeFolder({ 'clip.mov': source });
    const hashParts = vi.spyOn(HashPool.prototype, 'hashParts');
    const signFiles = vi.spyOn(SignerClient.prototype, 'signFiles');
    /** Pushes the folder; `beforeClose` runs while the engine is open (closing it stops every hash). */
    const push = async (beforeClose = async () => {}) => {
      const engine = engineFor();
      const report = await engine.batch(root).run();
      await beforeClose();
      engine.close();
      const [file] = report.files;
      expect(file).toMatchObject({ status: 'uploaded', md5: md5Hex(source) });
      expect(file!.etag).toMatch(/-3"$/u);
      expect(await objectMd5(admin, signer.bucket, file!.key!)).toBe(md5Hex(source));
    };

    await push();
    expect(hashParts.mock.calls.map(([, partSize]) => partSize)).toEqual([5 * MiB]);
    expect(hashParts.mock.invocationCallOrder[0]).toBeLessThan(signFiles.mock.invocationCallOrder[0]!);

    // A policy that says 6 MiB where the signer plans 5 MiB: the parts hashed ahead are dropped.
    hashParts.mockClear();
    const policy = SignerClient.prototype.policy;
    vi.spyOn(SignerClient.prototype, 'policy').mockImplementation(async function (this: SignerClient, signal) {
      return { ...(await policy.call(this, signal)), partSize: 6 * MiB };
    });
    await push(() => expect(hashParts.mock.results[0]!.value.next()).rejects.toMatchObject({ code: 'cancelled' }));
    expect(hashParts.mock.calls.map(([, partSize]) => partSize)).toEqual([6 * MiB, 5 * MiB]);
  });

  it('stops hashing ahead a file the signer turns away', async () => {
    const root = await makeFolder({ 'clip.mov': bytes(11 * MiB) });
    const first = engineFor(signer.tokens.alice, { stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')) });
    const batch = first.batch(root);
    expect((await batch.run()).counts.uploaded).toBe(1);
    first.close();
    // The same batch again without its journal: the signer will not start a second upload at a held key.
    const hashParts = vi.spyOn(HashPool.prototype, 'hashParts');
    const again = engineFor(signer.tokens.alice, { stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')) });
    const report = await again.batch(root, { id: batch.id }).run();
    expect([...report.files]).toMatchObject([{ path: 'clip.mov', status: 'skipped', code: 'exists' }]);
    expect(hashParts).toHaveBeenCalledTimes(1);
    // Asked before the engine closes, which would stop every hash itself.
    await expect(hashParts.mock.results[0]!.value.next()).rejects.toMatchObject({ code: 'cancelled' });
    again.close();
  });

  it('sums progress over every running batch, and leaves finished ones out', async () => {
    const engine = engineFor(signer.tokens.alice, { bandwidth: 2 * MiB });
    const one = engine.batch(await makeFolder({ 'x.bin': bytes(1 * MiB) }));
    const two = engine.batch(await makeFolder({ 'y.bin': bytes(2 * MiB), 'z.bin': bytes(1000) }));
    const runs = [one.run(), two.run()];
    let seen = engine.overall();
    while (seen.batches < 2 || seen.files.total < 3) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      seen = engine.overall();
    }
    expect(seen.bytes.total).toBe(3 * MiB + 1000);
    expect(seen.bytes.done).toBeLessThan(seen.bytes.total);
    await Promise.all(runs);
    expect(engine.overall()).toMatchObject({ batches: 0, bytes: { total: 0, done: 0 }, etaSeconds: null });
    engine.close();
  });

  it('emits progress about 10 times a second, however many files finish', async () => {
    const files = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`p/${i}.txt`, bytes(10)]));
    const engine = engineFor(signer.tokens.alice, { concurrency: 16 });
    const batch = engine.batch(await makeFolder(files));
    let events = 0;
    batch.on('progress', () => (events += 1));
    const started = performance.now();
    const report = await batch.run();
    const seconds = (performance.now() - started) / 1000;
    engine.close();
    expect(report.counts.uploaded).toBe(1500);
    expect(events).toBeGreaterThan(0);
    expect(events).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
  });

  it('skips what it chooses not to send (a symlink loop, a pipe) and fails what it cannot read', async () => {
    const root = await makeFolder({ 'a.txt': 'a', 'sub/b.txt': 'b' });
    await symlink(root, join(root, 'sub', 'loop'));
    execFileSync('mkfifo', [join(root, 'pipe')]);
    await symlink(join(root, 'gone'), join(root, 'dangling'));
    const engine = engineFor();
    const plan = await planFolder(root, await engine.signer.policy(), { batchId: 'planned' });
    const report = await engine.batch(root).run();
    engine.close();

    const outcome = (path: string) => [...report.files].find((f) => f.path === path);
    expect(outcome('sub/loop')).toMatchObject({ status: 'skipped', code: 'symlink-loop' });
    expect(outcome('pipe')).toMatchObject({ status: 'skipped', code: 'not-a-file' });
    expect(outcome('dangling')).toMatchObject({ status: 'failed', code: 'unreadable' });
    expect(report.counts).toEqual({ uploaded: 2, skipped: 2, rejected: 0, failed: 1 });
    expect(plan.skipped.map((f) => f.path).sort()).toEqual(['pipe', 'sub/loop']);
    // Unreadable is a failure, not a refusal: the plan keeps it apart from what the policy refuses.
    expect(plan.failed.map((f) => f.path)).toEqual(['dangling']);
    expect(plan.rejected).toEqual([]);
  });

  it('reports policy rejections per file and uploads the rest', async () => {
    const strict = await startTestSigner(s3, {
      bucket: signer.bucket,
      tokens: signer.tokens,
      policy: { allowedTypes: ['text/plain'], maxFileSize: 100 },
    });
    const root = await makeFolder({ 'ok.txt': 'fine', 'page.html': '<p>', 'big.txt': 'x'.repeat(200) });
    const engine = new UploadEngine({ signerUrl: strict.url, token: strict.tokens.alice, stateDir });
    const report = await engine.batch(root).run();
    engine.close();
    await strict.close();
    const byPath = Object.fromEntries([...report.files].map((f) => [f.path, f]));
    expect(byPath['ok.txt']?.status).toBe('uploaded');
    expect(byPath['page.html']).toMatchObject({ status: 'rejected', code: 'type-not-allowed' });
    expect(byPath['big.txt']).toMatchObject({ status: 'rejected', code: 'too-large' });
  });

  it('takes an object already at its key with its own MD5 as uploaded, asking the signer for its ETag', async () => {
    const root = await makeFolder({ 'a.png': bytes(3000), 'b.txt': Buffer.from('bee') });
    const first = engineFor(signer.tokens.alice, { stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')) });
    const batch = first.batch(root);
    expect((await batch.run()).counts.uploaded).toBe(2);
    first.close();
    // A second run of the same batch id without its journal: each PUT meets If-None-Match (412).
    const again = engineFor(signer.tokens.alice, { stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')) });
    const report = await again.batch(root, { id: batch.id }).run();
    again.close();
    expect([...report.files].map((f) => [f.path, f.status, f.code]).sort()).toEqual([
      ['a.png', 'uploaded', 'already-there'],
      ['b.txt', 'uploaded', 'already-there'],
    ]);
  });

  it('puts a fresh view link to each uploaded file in the report on request', async () => {
    const files = { 'cat.png': bytes(2000), 'notes.txt': Buffer.from('plain notes') };
    const root = await makeFolder(files);
    const engine = engineFor();
    const report = await engine.batch(root).run();
    expect([...report.files].every((f) => f.viewUrl === undefined)).toBe(true);
    const linked = await withViewLinks(report, engine.signer);
    engine.close();
    expect(Date.parse(linked.expiresAt!)).toBeGreaterThan(Date.now() + 3500_000);
    expect([...linked.report.files]).toHaveLength(2);
    for (const file of linked.report.files) {
      const res = await fetch(file.viewUrl!);
      expect(md5Hex(Buffer.from(await res.arrayBuffer()))).toBe(md5Hex(files[file.path as keyof typeof files]));
      const disposition = res.headers.get('content-disposition');
      expect(disposition, file.path).toBe(file.path === 'notes.txt' ? "attachment; filename*=UTF-8''notes.txt" : null);
    }
  });

  it('rejects the second of two names Windows or macOS would merge, across sign groups, in plan and upload', async () => {
    const files: Record<string, Buffer> = { 'Photo.png': bytes(10), 'photo.PNG': bytes(11) };
    for (let i = 0; i < 12; i++) files[`f${i}.png`] = bytes(12);
    const root = await makeFolder(files);
    // One file per sign request: the signer never sees the two together, so only the engine can tell.
    const engine = engineFor(signer.tokens.alice, { signBatchSize: 1 });
    const plan = await planFolder(root, await engine.signer.policy(), { batchId: 'planned' });
    const report = await engine.batch(root).run();
    engine.close();
    expect(plan.rejected.map((f) => f.code)).toEqual(['duplicate-path']);
    const failed = [...report.files].filter((f) => f.status === 'rejected');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ code: 'duplicate-path', path: plan.rejected[0]!.path });
    expect(failed[0]!.reason).toContain('differ only in case');
    expect(report.counts.uploaded).toBe(13);
  });

  it('fails the batch with a readable error when the token is refused', async () => {
    const root = await makeFolder({ 'a.txt': 'x' });
    const engine = engineFor('wrong-token');
    await expect(engine.batch(root).run()).rejects.toThrow('The bearer token is not valid');
    engine.close();
  });

  it('rejects a bad concurrency with a message naming the value', () => {
    expect(() => engineFor(signer.tokens.alice, { concurrency: 0 })).toThrow(
      'Expected `concurrency` to be a whole number from 1 to 256, got `0` (number); or `auto`',
    );
  });
});
