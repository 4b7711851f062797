import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { measureServiceLoop } from '../helpers/service-loop';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// The desktop's main process runs the engine: while it plans and uploads 100,000 files, IPC and the
// window's updates wait behind whatever holds its event loop. The service runs in a child process of its
// own (the signer and S3 do not share its loop), and its delays are written beside the screenshots.
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
    // The bench holds the 50 ms target for the loop's delay on a quiet machine; here the suites and the
    // servers share two cores, so the delay itself says as much about the machine as about the service.
    // What the service's own work held the loop (its main thread's CPU time past each 10 ms turn)
    // depends far less on the machine's load. Upload, quiet / beside two busy loops / with a 120 ms hold
    // injected per update: delay p99 98 / 239 / 340 ms, held p99 23 / 40 / 144-316 ms, share of the
    // time held 5.5 / 7.2 / 42 %. The bounds catch the loop held for long stretches or much of the time.
    expect(delays.plan.heldP99).toBeLessThan(150);
    expect(delays.upload.heldP99).toBeLessThan(150);
    expect(delays.upload.heldShare).toBeLessThan(0.25);
  }, 240_000);
});
