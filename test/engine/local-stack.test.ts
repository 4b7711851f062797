import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '@hoist/signer-server/local-stack';
import { describe, expect, it } from 'vitest';
import { UploadEngine } from '../../src/main/engine';
import { bytes, makeFolder } from '../helpers/folders';

const MiB = 1024 * 1024;

// The embedded default (s3rver) has no AbortMultipartUpload: it answers 405. Cleaning up after a
// cancelled multipart upload must fail fast there, not retry for a minute and a half.
describe('the embedded local stack', () => {
  it('ends a cancelled multipart upload at once, though its store cannot abort uploads', async () => {
    const stack = await startLocalStack(await mkdtemp(join(tmpdir(), 'hoist-local-')), {
      policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    });
    const engine = new UploadEngine({
      signerUrl: stack.signerUrl,
      token: stack.token,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')),
      concurrency: 2,
      bandwidth: 8 * MiB,
    });
    try {
      const batch = engine.batch(await makeFolder({ 'big.bin': bytes(40 * MiB) }));
      const running = batch.run();
      while (batch.progress().bytes.done < 6 * MiB) await new Promise((resolve) => setTimeout(resolve, 20));
      const cancelledAt = performance.now();
      batch.cancel();
      const report = await running;
      expect(report.files[0]).toMatchObject({ path: 'big.bin', code: 'cancelled' });
      expect(performance.now() - cancelledAt).toBeLessThan(3000);
    } finally {
      engine.close();
      await stack.stop();
    }
  });
});
