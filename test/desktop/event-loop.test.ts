import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { measureServiceLoop } from '../helpers/service-loop';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// While the desktop plans and uploads 100,000 files, IPC and the window's updates wait behind whatever
// holds the main process's event loop. The service runs on a thread of its own, as the shell starts it
// (service-thread.ts), in a child process (the signer and S3 do not share its loop); the main thread's
// delays are written beside the screenshots.
const FILES = 100_000;
const s3 = inject('s3');
let signer: TestSigner;
let folder: string;

beforeAll(async () => {
  signer = await startTestSigner(s3, { rateLimit: { max: 1_000_000, windowMs: 60_000 } });
  folder = await mkdtemp(join(tmpdir(), 'hoist-loop-100k-'));
  for (let d = 0; d < 100; d++) {
    const dir = join(folder, `dir-${String(d).padStart(3, '0')}`);
    await mkdir(dir);
    await Promise.all(
      Array.from({ length: FILES / 100 }, (_, f) => writeFile(join(dir, `file-${f}.txt`), `${d}/${f}`)),
    );
  }
}, 180_000);
afterAll(async () => {
  await signer.close();
});

describe("the desktop main process's event loop", () => {
  it('stays responsive while the service plans and uploads 100,000 files', async () => {
    const delays = await measureServiceLoop(folder, signer.url, signer.tokens.alice, 20, (child) =>
      onTestFinished(() => void child.kill('SIGKILL')),
    );
    console.log(`event-loop delay, 100,000 files: ${JSON.stringify(delays)}`);
    await mkdir(resolve('test-output'), { recursive: true });
    await writeFile(resolve('test-output/desktop-event-loop.json'), `${JSON.stringify(delays, null, 2)}\n`);
    expect(delays.plan.files).toBe(FILES);
    expect(delays.upload.files).toBeGreaterThan(0);
    // #31's target, 50 ms at p99, now holds here too, with the suites and servers sharing two cores: the
    // main thread only relays. Measured (upload, alone / beside two busy loops): p99 9.7 / 9.3 ms, max
    // 20 / 29 ms; with the service on the main thread, as before, 98 / 239 ms here (51-187 ms in the bench).
    expect(delays.plan.p99).toBeLessThanOrEqual(50);
    expect(delays.upload.p99).toBeLessThanOrEqual(50);
    // And the main thread's own work (its CPU time past each 10 ms turn) stays near nothing: 0 measured.
    expect(delays.upload.heldP99).toBeLessThan(20);
    expect(delays.upload.heldShare).toBeLessThan(0.05);
  }, 240_000);
});
