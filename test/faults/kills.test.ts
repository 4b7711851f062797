import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { hoistPush } from '../helpers/cli';
import { recordFault } from '../helpers/fault-ledger';
import { isPresignedPut } from '../helpers/fault-proxy';
import { seededRandom } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

// `hoist push` killed with SIGKILL at random moments (seeded), several times in a row, then run to the
// end: every object must match its source, and nothing the journal called finished may be sent again.
const rig = useProxiedS3();
const MiB = 1024 * 1024;
const KILLS = 4;
let signer: TestSigner;

beforeAll(async () => {
  signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
});

async function journal(stateDir: string): Promise<Record<string, any>[]> {
  const names = await readdir(join(stateDir, 'journals')).catch(() => []);
  if (!names.length) return [];
  return (await readFile(join(stateDir, 'journals', names[0]!), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, any>];
      } catch {
        return []; // a line torn by the kill
      }
    });
}

describe('kill -9 at random moments', () => {
  it(`completes after ${KILLS} SIGKILLs without re-sending what was finished`, async () => {
    const files: Record<string, Buffer> = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`k/f${i}.bin`, bytes(100 * 1024 + i)]),
    );
    files['k/big.bin'] = bytes(21 * MiB);
    const root = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-kills-'));
    const args = [root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir, '--json'];
    const random = seededRandom(4242);
    const puts: { at: number; url: string }[] = [];
    rig.proxy.setRule((req) => {
      if (isPresignedPut(req)) puts.push({ at: Date.now(), url: decodeURIComponent(req.url!) });
      return { kind: 'pass' };
    });

    const finishedBy: { at: number; keys: Set<string>; parts: Set<number> }[] = [];
    let affected = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const run = hoistPush([...args, '--concurrency', '3', '--bwlimit', '2M']);
      await new Promise((resolve) => setTimeout(resolve, 600 + Math.floor(random() * 1500)));
      if (run.child.exitCode !== null) break;
      run.child.kill('SIGKILL');
      expect(await run.exited).toBeNull();
      const records = await journal(stateDir);
      const keys = new Set(records.filter((r) => r.t === 'file').map((r) => r.outcome.key as string));
      const parts = new Set(records.filter((r) => r.t === 'part').map((r) => r.n as number));
      affected = Math.max(affected, Object.keys(files).length - keys.size);
      finishedBy.push({ at: Date.now(), keys, parts });
    }
    expect(finishedBy.length).toBe(KILLS);
    expect(finishedBy.at(-1)!.keys.size).toBeLessThan(41);

    const last = hoistPush(args);
    expect(await last.exited).toBe(0);
    expect(last.events.find((e) => e.event === 'end')?.counts).toEqual({
      uploaded: 41,
      skipped: 0,
      rejected: 0,
      failed: 0,
    });

    // Nothing journalled as finished (a file, or a part of the big file) was sent after that kill.
    for (const { at, keys, parts } of finishedBy) {
      const later = puts.filter((p) => p.at > at);
      for (const key of keys) expect(later.some((p) => p.url.includes(`/${key}?`))).toBe(false);
      const bigParts = later
        .filter((p) => p.url.includes('/big.bin?'))
        .map((p) => Number(/partNumber=(\d+)/u.exec(p.url)?.[1]));
      for (const n of parts) expect(bigParts).not.toContain(n);
    }
    const prefix = (await listKeys(rig.admin, rig.bucket, 'users/alice/'))[0]!.replace(/k\/.*$/u, '');
    const keys = await listKeys(rig.admin, rig.bucket, prefix);
    expect(keys).toHaveLength(41);
    let corrupted = 0;
    for (const key of keys)
      if ((await objectMd5(rig.admin, rig.bucket, key)) !== md5Hex(files[key.slice(prefix.length)]!)) corrupted += 1;
    recordFault({
      fault: 'kill -9 of the uploader, then restart',
      injected: KILLS,
      filesAffected: affected,
      lost: 41 - keys.length,
      corrupted,
    });
    expect(corrupted).toBe(0);
  });
});
