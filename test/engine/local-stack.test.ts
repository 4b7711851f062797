import { createHash } from 'node:crypto';
import { mkdtemp, open, readFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '@hoist/signer-server/local-stack';
import { afterEach, describe, expect, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { bytes, makeFolder } from '../helpers/folders';

const MiB = 1024 * 1024;

// The embedded default store is s3rver, which has no ListParts and no AbortMultipartUpload (it answers
// 405). These run the engine against it as `hoist push` with no --signer does.
describe('the embedded local stack', () => {
  let stack: LocalStack | undefined;
  let engine: UploadEngine | undefined;
  afterEach(async () => {
    engine?.close();
    await stack?.stop();
  });

  async function start(
    policy?: NonNullable<Parameters<typeof startLocalStack>[1]>['policy'],
    bandwidth?: number,
  ): Promise<UploadEngine> {
    const dataDir = await mkdtemp(join(tmpdir(), 'hoist-local-'));
    stack = await startLocalStack(dataDir, policy ? { policy } : {});
    engine = new UploadEngine({
      signerUrl: stack.signerUrl,
      token: stack.token,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')),
      concurrency: 2,
      ...(bandwidth ? { bandwidth } : {}),
    });
    return engine;
  }

  it('takes a file over the usual multipart threshold as one PUT, and it arrives whole', async () => {
    const body = bytes(70 * MiB);
    const root = await makeFolder({ 'video.bin': body });
    const report = await (await start()).batch(root).run();
    expect([...report.files][0]).toMatchObject({ path: 'video.bin', status: 'uploaded' });
    const stored = await readFile(join(stack!.dataDir, stack!.bucket, `${[...report.files][0]!.key}._S3rver_object`));
    expect(createHash('md5').update(stored).digest('hex')).toBe(createHash('md5').update(body).digest('hex'));
  });

  it('refuses a file of 5 GiB or more when planning, with the reason, before sending anything', async () => {
    const root = await makeFolder({ 'small.txt': 'x' });
    const handle = await open(join(root, 'huge.bin'), 'w');
    await handle.truncate(5 * 1024 * MiB);
    await handle.close();
    const report = await (await start()).batch(root).run();
    expect([...report.files].find((f) => f.path === 'huge.bin')).toMatchObject({
      status: 'rejected',
      code: 'too-large',
    });
    expect(report.counts).toEqual({ uploaded: 1, skipped: 0, rejected: 1, failed: 0 });
    expect(report.bytesUploaded).toBe(1);
  });

  it('ends a cancelled multipart upload at once, though the store cannot abort it', async () => {
    const local = await start({ multipartThreshold: 5 * MiB, partSize: 5 * MiB }, 8 * MiB);
    const batch = local.batch(await makeFolder({ 'big.bin': bytes(40 * MiB) }));
    const running = batch.run();
    while (batch.progress().bytes.done < 6 * MiB) await new Promise((resolve) => setTimeout(resolve, 20));
    const cancelledAt = performance.now();
    batch.cancel();
    const report = await running;
    expect([...report.files][0]).toMatchObject({ path: 'big.bin', code: 'cancelled' });
    expect(performance.now() - cancelledAt).toBeLessThan(3000);
  });

  it('starts on a store a killed run left with a half-written object, dropping only that object', async () => {
    const root = await makeFolder({ 'kept.txt': 'kept', 'cut.txt': 'cut short' });
    const first = await (await start()).batch(root, { destination: 'trip' }).run();
    expect(first.counts.uploaded).toBe(2);
    const { dataDir, bucket } = stack!;
    engine!.close();
    await stack!.stop();
    const keyOf = (path: string) => [...first.files].find((f) => f.path === path)!.key!;
    // What a kill between s3rver's object write and its metadata write leaves: s3rver then answers 500
    // to every listing and HEAD of the bucket, and the signer would not start.
    await truncate(join(dataDir, bucket, `${keyOf('cut.txt')}._S3rver_metadata.json`));

    stack = await startLocalStack(dataDir);
    await expect(readFile(join(dataDir, bucket, `${keyOf('cut.txt')}._S3rver_object`))).rejects.toThrow('ENOENT');
    expect(await readFile(join(dataDir, bucket, `${keyOf('kept.txt')}._S3rver_object`), 'utf8')).toBe('kept');
    engine = new UploadEngine({
      signerUrl: stack.signerUrl,
      token: stack.token,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')),
    });
    const again = await engine.batch(root, { destination: 'trip' }).run();
    expect(Object.fromEntries([...again.files].map((f) => [f.path, f.status]))).toEqual({
      'kept.txt': 'skipped',
      'cut.txt': 'uploaded',
    });
  });
});
