import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hoistPush } from '../helpers/cli';
import { recordFault } from '../helpers/fault-ledger';
import { bytes, makeFolder } from '../helpers/folders';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

// Push is idempotent by default: the same folder pushed again to the same signer as the same user
// continues into where it went, and only what is new or changed moves (as rclone copy and aws s3 sync).
const rig = useProxiedS3();
let signer: TestSigner;

beforeAll(async () => {
  signer = await rig.signer({ policy: { multipartThreshold: 5 * 1024 * 1024, partSize: 5 * 1024 * 1024 } });
});

/** Runs `hoist push` with `--json`, counting the file bytes PUT to S3 through the proxy. */
async function push(args: string[]) {
  let putBytes = 0;
  rig.proxy.setRule((req) => {
    if (req.method === 'PUT') putBytes += Number(req.headers['content-length'] ?? 0);
    return { kind: 'pass' };
  });
  const run = hoistPush([...args, '--signer', signer.url, '--token', signer.tokens.alice, '--json']);
  const code = await run.exited;
  rig.proxy.setRule(() => ({ kind: 'pass' }));
  const end = run.events.find((e) => e.event === 'end')!;
  const info = run.events.filter((e) => e.event === 'info').map((e) => e.message as string);
  return { code, end, info, putBytes, files: run.events.filter((e) => e.event === 'file') };
}

describe('hoist push, again', () => {
  it('sends no file byte the second time, with no option given, and lands in the same folder', async () => {
    const root = await makeFolder({ 'a.jpg': bytes(3000), 'raw/b.cr2': bytes(6 * 1024 * 1024), 'c.xmp': 'x' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-again-'));
    const first = await push([root, '--state-dir', stateDir]);
    expect(first.code).toBe(0);
    expect(first.end.counts).toEqual({ uploaded: 3, skipped: 0, rejected: 0, failed: 0 });
    const folder = (first.end.destination as { prefix: string }).prefix;

    const second = await push([root, '--state-dir', stateDir]);
    expect(second.code).toBe(0);
    expect(second.putBytes).toBe(0);
    expect(second.end.counts).toEqual({ uploaded: 0, skipped: 3, rejected: 0, failed: 0 });
    expect(second.end.destination).toMatchObject({ prefix: folder });
    expect(second.info.join('\n')).toMatch(/continuing into users\/alice\/[^ ]+\/, where it went before/u);
    for (const file of second.files) expect(file).toMatchObject({ status: 'skipped', code: 'already-there' });

    // Only what is new or changed moves; a changed file is a conflict, settled by --on-conflict.
    await writeFile(join(root, 'd.jpg'), bytes(10));
    await writeFile(join(root, 'c.xmp'), 'changed');
    const third = await push([root, '--state-dir', stateDir, '--on-conflict', 'overwrite']);
    expect(third.code).toBe(2);
    const renamed = await push([root, '--state-dir', stateDir, '--on-conflict', 'rename']);
    expect(renamed.end.counts).toEqual({ uploaded: 2, skipped: 2, rejected: 0, failed: 0 });
    expect(renamed.putBytes).toBe(10 + 'changed'.length);
    expect(renamed.files.find((f) => f.path === 'c.xmp')).toMatchObject({ code: 'renamed', renamedTo: 'c (1).xmp' });

    // Renaming is idempotent: the copy that already holds the content is found, not sent again as (2).
    const renamedAgain = await push([root, '--state-dir', stateDir, '--on-conflict', 'rename']);
    expect(renamedAgain.code).toBe(0);
    expect(renamedAgain.putBytes).toBe(0);
    expect(renamedAgain.end.counts).toEqual({ uploaded: 0, skipped: 4, rejected: 0, failed: 0 });
    expect(renamedAgain.files.find((f) => f.path === 'c.xmp')).toMatchObject({
      status: 'skipped',
      code: 'already-there',
      renamedTo: 'c (1).xmp',
    });
    // The big raw file changed too: its copy is found by its multipart ETag.
    await writeFile(join(root, 'raw/b.cr2'), bytes(6 * 1024 * 1024 + 1));
    const bigRenamed = await push([root, '--state-dir', stateDir, '--on-conflict', 'rename']);
    expect(bigRenamed.files.find((f) => f.path === 'raw/b.cr2')).toMatchObject({ renamedTo: 'raw/b (1).cr2' });
    const bigAgain = await push([root, '--state-dir', stateDir, '--on-conflict', 'rename']);
    expect(bigAgain.putBytes).toBe(0);
    expect(bigAgain.end.counts.skipped).toBe(4);

    // A fresh folder is one flag away.
    const fresh = await push([root, '--state-dir', stateDir, '--new-folder']);
    expect(fresh.end.counts.uploaded).toBe(4);
    expect((fresh.end.destination as { prefix: string }).prefix).not.toBe(folder);
    recordFault({
      fault: 'the same folder pushed again with no option',
      injected: 1,
      filesAffected: 3,
      lost: 0,
      corrupted: 0,
    });
  });
});
