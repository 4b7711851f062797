import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import pMap from 'p-map';
import { beforeAll, describe, expect, it } from 'vitest';
import { UploadEngine, UploadError, type BatchOptions, type ConflictChoice } from '../../src/engine';
import type { FileOutcome } from '../../src/shared/outcome';
import { recordFault } from '../helpers/fault-ledger';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

const MiB = 1024 * 1024;
const rig = useProxiedS3();
const policy = { multipartThreshold: 5 * MiB, partSize: 5 * MiB };
let signer: TestSigner;
let overwriting: TestSigner;
let stateDir: string;

beforeAll(async () => {
  signer = await rig.signer({ policy, userSettings: { bob: { destinations: ['inbox'] } } });
  overwriting = await rig.signer({ policy: { ...policy, overwrite: true } });
  stateDir = await mkdtemp(join(tmpdir(), 'hoist-state-'));
});

/** Every request the proxy in front of S3 sees (client PUTs and the signer's own calls), while `run` runs. */
async function watched<T>(
  run: () => Promise<T>,
): Promise<{ result: T; requests: IncomingMessage[]; putBytes: number }> {
  const requests: IncomingMessage[] = [];
  let putBytes = 0;
  rig.proxy.setRule((req) => {
    requests.push(req);
    if (req.method === 'PUT') putBytes += Number(req.headers['content-length'] ?? 0);
    return { kind: 'pass' };
  });
  const result = await run();
  rig.proxy.setRule(() => ({ kind: 'pass' }));
  return { result, requests, putBytes };
}

async function push(root: string, options: BatchOptions, on = signer, token = on.tokens.alice) {
  const engine = new UploadEngine({ signerUrl: on.url, token, stateDir, concurrency: 8 });
  try {
    return await engine.batch(root, options).run();
  } finally {
    engine.close();
  }
}

async function stored(key: string): Promise<Buffer> {
  const got = await rig.admin.send(new GetObjectCommand({ Bucket: rig.bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

const byPath = (files: FileOutcome[]) => new Map(files.map((f) => [f.path, f]));
const isList = (req: IncomingMessage) => req.method === 'GET' && /[?&]list-type=2/u.test(req.url ?? '');

describe('a destination on the verifying S3', () => {
  it('sends no file byte the second time an unchanged folder goes to one destination, multipart files included', async () => {
    const files = {
      'a.png': bytes(3000),
      'shoot/b.jpg': bytes(70_000),
      'shoot/c.txt': 'notes',
      'big.mov': bytes(11 * MiB + 5),
    };
    const root = await makeFolder(files);
    const first = await push(root, { destination: 'clients/acme/2026-12' });
    expect(first.counts).toEqual({ uploaded: 4, skipped: 0, rejected: 0, failed: 0 });
    expect(first.destination).toBe('clients/acme/2026-12');
    expect(byPath([...first.files]).get('big.mov')!.key).toBe('users/alice/clients/acme/2026-12/big.mov');
    const {
      result: second,
      requests,
      putBytes,
    } = await watched(() => push(root, { destination: 'clients/acme/2026-12/' }));
    expect(second.counts).toEqual({ uploaded: 0, skipped: 4, rejected: 0, failed: 0 });
    expect(second.bytesUploaded).toBe(0);
    expect(putBytes).toBe(0);
    expect(requests.filter((r) => r.method === 'PUT' || r.method === 'POST')).toEqual([]);
    for (const file of second.files) {
      expect(file).toMatchObject({ status: 'skipped', code: 'already-there' });
      expect(file.reason).toContain(`users/alice/clients/acme/2026-12/${file.path}`);
    }
    expect(byPath([...second.files]).get('big.mov')!.etag).toMatch(/-3"$/u);
    recordFault({
      fault: 'the same folder pushed again to its destination',
      injected: 1,
      filesAffected: 4,
      lost: 0,
      corrupted: 0,
    });
  });

  it('starts a batch from its plan: the same decisions in the same words, no second scan and no second listing', async () => {
    const root = await makeFolder({ 'a.png': bytes(3000), 'b.png': bytes(4000), 'c.png': bytes(5000) });
    await push(root, { destination: 'from-plan' });
    await writeFile(join(root, 'b.png'), bytes(4000).reverse());
    await writeFile(join(root, 'c.png'), bytes(5001));
    await writeFile(join(root, 'd.png'), bytes(6000));
    const engine = new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir });
    try {
      const plan = await engine.plan(root, { destination: 'from-plan' });
      expect(plan.alreadyThere.map((f) => f.path)).toEqual(['a.png']);
      expect(plan.conflicts.map((f) => f.path).sort()).toEqual(['b.png', 'c.png']);
      expect(plan.upload.files).toBe(1);
      // A plan only shown (a dry run) decides the same, keeps no file, and no batch starts from it.
      const shown = await engine.plan(root, { destination: 'from-plan', keepFiles: false });
      expect({ ...shown, batchId: plan.batchId, basis: undefined }).toEqual({ ...plan, basis: undefined });
      expect(shown.basis.files).toEqual([]);
      expect(() => engine.batch(root, { plan: shown })).toThrow('got one made with `keepFiles: false`');
      // Added after the plan: a batch that scanned again would send it.
      await writeFile(join(root, 'e.png'), bytes(10));
      const signerCalls = signer.logs.length;
      const batch = engine.batch(root, { plan, onConflict: 'rename' });
      const totals: number[] = [];
      batch.on('progress', (p) => p.scanComplete && totals.push(p.files.total));
      const { result: report, requests } = await watched(() => batch.run());
      // The plan's files all join at once: the totals are whole whenever the batch says so.
      expect(totals.length).toBeGreaterThan(0);
      expect(new Set(totals)).toEqual(new Set([4]));
      // The only listings are the signer's, looking for free names beside the two renamed files.
      const listed = requests.filter(isList).map((r) => new URL(r.url!, 'http://s3').searchParams.get('prefix'));
      expect(listed.sort()).toEqual(['users/alice/from-plan/b (', 'users/alice/from-plan/c (']);
      expect(signer.logs.slice(signerCalls).filter((l) => l.route === '/v1/destinations/list')).toEqual([]);
      const files = byPath([...report.files]);
      expect([...files.keys()].sort()).toEqual(['a.png', 'b.png', 'c.png', 'd.png']);
      expect(files.get('a.png')).toEqual(plan.alreadyThere[0]);
      expect(files.get('b.png')!.key).toBe('users/alice/from-plan/b (1).png');
      expect(files.get('d.png')).toMatchObject({ status: 'uploaded', key: 'users/alice/from-plan/d.png' });
      expect(report.batchId).toBe(plan.batchId);
    } finally {
      engine.close();
    }
  });

  it('recognises a multipart object another tool uploaded with its own part size (8 MiB, as the AWS CLI does)', async () => {
    const body = bytes(20 * MiB + 1);
    const key = 'users/alice/from-aws-cli/clip.mov';
    const { UploadId } = await rig.admin.send(new CreateMultipartUploadCommand({ Bucket: rig.bucket, Key: key }));
    const parts = [];
    for (let n = 1, at = 0; at < body.length; n++, at += 8 * MiB) {
      const out = await rig.admin.send(
        new UploadPartCommand({
          Bucket: rig.bucket,
          Key: key,
          UploadId,
          PartNumber: n,
          Body: body.subarray(at, at + 8 * MiB),
        }),
      );
      parts.push({ PartNumber: n, ETag: out.ETag });
    }
    await rig.admin.send(
      new CompleteMultipartUploadCommand({ Bucket: rig.bucket, Key: key, UploadId, MultipartUpload: { Parts: parts } }),
    );
    const root = await makeFolder({ 'clip.mov': body });
    const { result, putBytes } = await watched(() => push(root, { destination: 'from-aws-cli' }));
    expect([...result.files][0]).toMatchObject({ status: 'skipped', code: 'already-there' });
    expect(putBytes).toBe(0);
  });

  it.each<[ConflictChoice, TestSigner | 'default', Partial<FileOutcome>, 'old' | 'new']>([
    ['skip', 'default', { status: 'skipped', code: 'conflict' }, 'old'],
    ['fail', 'default', { status: 'failed', code: 'conflict' }, 'old'],
    ['overwrite', 'default', { status: 'rejected', code: 'overwrite-not-allowed' }, 'old'],
    ['overwrite', 'overwriting' as never, { status: 'uploaded', code: 'overwritten' }, 'new'],
    ['rename', 'default', { status: 'uploaded', code: 'renamed', key: 'users/alice/DEST/shoot/a (1).png' }, 'old'],
  ])(
    'settles one file changed between runs under --on-conflict %s (%s signer)',
    async (choice, which, expected, kept) => {
      const on = which === 'default' ? signer : overwriting;
      const destination = `conflict-${choice}-${which === 'default' ? 'd' : 'o'}`;
      const before = { 'shoot/a.png': bytes(4000), 'shoot/same.png': bytes(500), 'big.bin': bytes(6 * MiB) };
      const root = await makeFolder(before);
      expect((await push(root, { destination }, on)).counts.uploaded).toBe(3);
      const changed = bytes(4100);
      await writeFile(join(root, 'shoot/a.png'), changed);
      const { result, putBytes } = await watched(() => push(root, { destination, onConflict: choice }, on));
      const files = byPath([...result.files]);
      expect(files.get('shoot/same.png')).toMatchObject({ status: 'skipped', code: 'already-there' });
      expect(files.get('big.bin')).toMatchObject({ status: 'skipped', code: 'already-there' });
      const outcome = files.get('shoot/a.png')!;
      expect(outcome).toMatchObject({
        ...expected,
        ...(expected.key ? { key: expected.key.replace('DEST', destination) } : {}),
      });
      expect(outcome.reason).toContain(`users/alice/${destination}/shoot/a.png`);
      if (expected.code === 'conflict') expect(outcome.reason).toContain('4.0 kB there, 4.1 kB here');
      expect(putBytes).toBe(expected.status === 'uploaded' ? changed.length : 0);
      const original = await stored(`users/alice/${destination}/shoot/a.png`);
      expect(md5Hex(original)).toBe(md5Hex(kept === 'old' ? before['shoot/a.png'] : changed));
      if (choice === 'rename') expect(md5Hex(await stored(outcome.key!))).toBe(md5Hex(changed));
      recordFault({
        fault: `a file changed at its destination, --on-conflict ${choice}`,
        injected: 1,
        filesAffected: 1,
        lost: 0,
        corrupted: 0,
      });
    },
  );

  it(
    'plans a destination holding 20,000 objects with a few listing requests, not one per file',
    { timeout: 300_000 },
    async () => {
      const count = 20_000;
      const root = await mkdtemp(join(tmpdir(), 'hoist-src-'));
      const body = (i: number) => `file ${i}\n`;
      await pMap(
        Array.from({ length: count }, (_, i) => i),
        (i) => writeFile(join(root, `f${i}.txt`), body(i)),
        {
          concurrency: 64,
        },
      );
      // Seeded straight into the store, not through the proxy that counts.
      await pMap(
        Array.from({ length: count }, (_, i) => i),
        (i) =>
          rig.admin.send(
            new PutObjectCommand({
              Bucket: rig.bucket,
              Key: `users/alice/many/f${i}.txt`,
              Body: body(i),
              ContentType: 'text/plain',
            }),
          ),
        { concurrency: 64 },
      );
      const engine = new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir });
      const signerCalls = signer.logs.length;
      const started = performance.now();
      const { result: plan, requests } = await watched(() => engine.plan(root, { destination: 'many' }));
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      engine.close();
      expect(plan.alreadyThere).toHaveLength(count);
      expect(plan.upload.files).toBe(0);
      expect(plan.conflicts).toEqual([]);
      // 1,000 keys per S3 page; a store may report the last full page as truncated, costing one empty page more.
      const lists = requests.filter(isList).length;
      expect(lists).toBeGreaterThanOrEqual(count / 1000);
      expect(lists).toBeLessThanOrEqual(count / 1000 + 1);
      expect(requests).toHaveLength(lists);
      const listCalls = signer.logs.slice(signerCalls).filter((l) => l.route === '/v1/destinations/list').length;
      expect(listCalls).toBeLessThanOrEqual(count / 5000 + 1);
      console.info(
        `20,000 objects planned in ${seconds} s: ${lists} S3 listing requests, ${listCalls} signer requests`,
      );
    },
  );

  it.each([['../users/bob'], ['/users/bob'], ['a/../../bob'], ['inbox//x']])(
    'refuses destination %j outside the prefix before any byte moves',
    async (destination) => {
      const root = await makeFolder({ 'a.png': bytes(10) });
      const { result, requests } = await watched(() =>
        push(root, { destination }).then(
          () => undefined,
          (error: unknown) => error,
        ),
      );
      expect(result).toBeInstanceOf(UploadError);
      expect((result as UploadError).code).toBe('invalid-destination');
      expect(requests).toEqual([]);
      recordFault({
        abuse: `destination ${JSON.stringify(destination)} outside the prefix`,
        attempts: 1,
        refused: 1,
        by: 'engine and signer path rules',
      });
    },
  );

  it('keeps a restricted user inside their destinations: the engine refuses a batch without one or elsewhere', async () => {
    const root = await makeFolder({ 'a.png': bytes(10) });
    const refusals = await Promise.all(
      [{}, { destination: 'elsewhere' }].map((options) =>
        push(root, options, signer, signer.tokens.bob).then(
          () => undefined,
          (error: unknown) => (error as UploadError).code,
        ),
      ),
    );
    expect(refusals).toEqual(['destination-required', 'destination-not-allowed']);
    const inside = await push(root, { destination: 'inbox/today' }, signer, signer.tokens.bob);
    expect([...inside.files][0]!.key).toBe('users/bob/inbox/today/a.png');
    recordFault({
      abuse: "upload outside a restricted user's destinations",
      attempts: 2,
      refused: 2,
      by: 'policy.destinations',
    });
  });
});
