import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HoistService } from '../../src/main/desktop/hoist-service';
import { SettingsStore } from '../../src/main/desktop/settings-store';
import { noKeychain } from '../helpers/keychains';
import { UploadEngine } from '../../src/engine';
import type { BatchView, DesktopUpdate } from '../../src/shared/desktop';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { isPresignedPut } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

const rig = useProxiedS3();
const { admin } = rig;
let signer: TestSigner;

beforeAll(async () => {
  signer = await rig.signer();
});

function serviceFor(stateDir: string, concurrency = 4): HoistService {
  return new HoistService({
    settings: new SettingsStore(join(stateDir, 'settings.json'), noKeychain),
    stateDir,
    createEngine: async () =>
      new UploadEngine({ signerUrl: signer.url, token: signer.tokens.alice, stateDir, concurrency }),
  });
}

async function until(service: HoistService, batchId: string, test: (view: BatchView) => boolean): Promise<BatchView> {
  return new Promise((resolve) => {
    const check = (update: DesktopUpdate) => {
      const view = update.batches.find((b) => b.batchId === batchId);
      if (view && test(view)) {
        service.off('update', check);
        resolve(view);
      }
    };
    service.on('update', check);
  });
}

describe('the desktop service', () => {
  it('sends at most about ten updates a second, whatever the number of files', async () => {
    const folder = await makeFolder(Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}`, `${i}`])));
    const service = serviceFor(await mkdtemp(join(tmpdir(), 'hoist-svc-')), 8);
    const times: number[] = [];
    service.on('update', () => times.push(performance.now()));
    const [id] = service.addBatches([folder]);
    await until(service, id!, (v) => v.phase === 'ready');
    service.control({ batchId: id!, action: 'start' });
    const done = await until(service, id!, (v) => v.phase === 'done');
    expect(done.progress!.files).toMatchObject({ total: 300, uploaded: 300 });
    const seconds = (times.at(-1)! - times[0]!) / 1000;
    expect(times.length).toBeLessThanOrEqual(Math.ceil(seconds * 10) + 2);
    service.close();
  });

  it('continues a folder dropped again into where it went: nothing moves twice, and clearing the destination starts afresh', async () => {
    const folder = await makeFolder({ 'a.jpg': bytes(2000), 'b.cr2': bytes(3000) });
    const service = serviceFor(await mkdtemp(join(tmpdir(), 'hoist-svc-')));
    const [first] = service.addBatches([folder]);
    await until(service, first!, (v) => v.phase === 'ready');
    service.control({ batchId: first!, action: 'start' });
    await until(service, first!, (v) => v.phase === 'done');
    const [again] = service.addBatches([folder]);
    const planned = await until(service, again!, (v) => v.phase === 'ready');
    expect(planned.destination).toBe(first);
    expect(planned.plan).toMatchObject({ upload: { files: 0 }, alreadyThere: { files: 2 } });
    service.configureBatch({ batchId: again!, destination: '', onConflict: 'skip' });
    const fresh = await until(service, again!, (v) => v.phase === 'ready');
    expect(fresh.destination).toBeUndefined();
    expect(fresh.plan).toMatchObject({ upload: { files: 2 }, alreadyThere: { files: 0 } });
    service.close();
  });

  it('refuses an action that does not fit the batch, naming the action and the phase', async () => {
    const service = serviceFor(await mkdtemp(join(tmpdir(), 'hoist-svc-')));
    const [id] = service.addBatches([await makeFolder({ a: 'a' })]);
    await until(service, id!, (v) => v.phase === 'ready');
    expect(() => service.control({ batchId: id!, action: 'pause' })).toThrow(
      `Cannot \`pause\` batch \`${id}\` while it is \`ready\``,
    );
    expect(() => service.control({ batchId: 'nope', action: 'start' })).toThrow('No batch `nope`');
    expect(() => service.reportPath(id!)).toThrow('has no report yet');
    service.close();
  });

  it('brings back a batch left unfinished by the last session and finishes it without re-sending', async () => {
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`r/${i}.bin`, bytes(1000 + i)]));
    const folder = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-svc-'));
    rig.proxy.setRule((req) => (isPresignedPut(req) ? { kind: 'delay', ms: 100 } : { kind: 'pass' }));
    const first = serviceFor(stateDir, 2);
    const [id] = first.addBatches([folder]);
    await until(first, id!, (v) => v.phase === 'ready');
    first.control({ batchId: id!, action: 'start' });
    await until(first, id!, (v) => (v.progress?.files.uploaded ?? 0) >= 8);
    first.control({ batchId: id!, action: 'pause' });
    await new Promise((r) => setTimeout(r, 500));
    first.close();
    let puts = 0;
    rig.proxy.setRule((req) => {
      if (isPresignedPut(req)) puts += 1;
      return { kind: 'pass' };
    });

    // The next launch: a new service on the same state folder finds the journal without an end.
    const second = serviceFor(stateDir);
    await second.restoreUnfinished();
    const restored = second.snapshot().batches.find((b) => b.batchId === id)!;
    expect(restored.phase).toBe('interrupted');
    const finishedBefore = second.listFiles({ batchId: id!, filter: 'done', offset: 0, limit: 100 }).total;
    expect(finishedBefore).toBeGreaterThanOrEqual(8);
    second.control({ batchId: id!, action: 'resume' });
    const done = await until(second, id!, (v) => v.phase === 'done');
    expect(done.progress!.files.uploaded).toBe(30);
    expect(puts).toBe(30 - finishedBefore);
    const keys = await listKeys(admin, rig.bucket, 'users/alice/');
    for (const [path, body] of Object.entries(files)) {
      const key = keys.find((k) => k.endsWith(`/${path}`));
      expect(await objectMd5(admin, rig.bucket, key!)).toBe(md5Hex(body));
    }
    second.close();
  });
});
