import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { bytes, makeFolder } from '../helpers/folders';
import { startLink, type EmulatedLink } from '../helpers/link-emulator';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// Progress counts bytes as the link takes them, not as the sockets buffer them: through the bench's
// link emulator (4 MB/s, 40 ms), the bytes progress reports done never run more than a few seconds of
// link time ahead of what the emulator has carried to S3.

const s3 = inject('s3');
const RATE = 4e6;
let link: EmulatedLink;
let signer: TestSigner;

beforeAll(async () => {
  const store = new URL(s3.endpoint);
  link = await startLink([{ host: store.hostname, port: Number(store.port) }], {
    name: '40 ms / 32 Mbit/s',
    delayMs: 20,
    bitsPerSecond: RATE * 8,
  });
  signer = await startTestSigner(s3, { publicEndpoint: `http://${link.addresses[0]}` });
});
afterAll(async () => {
  await signer.close();
  await link.close();
});

describe('progress on a capped link', () => {
  it('never reports more than a few seconds of link time beyond what the link carried, and ends at 100 %', async () => {
    const root = await makeFolder(
      Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`f${i}.bin`, bytes(1_000_000)])),
    );
    const engine = new UploadEngine({
      signerUrl: signer.url,
      token: signer.tokens.alice,
      stateDir: await mkdtemp(join(tmpdir(), 'hoist-link-progress-')),
      proxy: () => undefined,
    });
    try {
      const batch = engine.batch(root);
      let most = 0;
      let last = 0;
      batch.on('progress', (p) => {
        // Seconds of link time the report is ahead of what crossed the link (headers count as crossed).
        most = Math.max(most, (p.bytes.done - link.deliveredUp()) / RATE);
        last = p.bytes.done / p.bytes.total;
      });
      const report = await batch.run();
      expect(report.counts).toMatchObject({ uploaded: 24, failed: 0 });
      expect(most).toBeLessThanOrEqual(3);
      expect(last).toBe(1);
    } finally {
      engine.close();
    }
  });
});
