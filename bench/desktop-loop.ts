import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA } from './harness';
import type { CephGateway } from '../test/helpers/ceph';
import { measureServiceLoop, type PhaseDelays } from '../test/helpers/service-loop';
import { startTestSigner } from '../test/helpers/signer';

// Dataset D, the desktop's main process (#31): the service, without Electron, on its own thread as the
// shell starts it, in a process of its own (test/helpers/service-loop-child.ts), plans 100,000 files of a few bytes in 100 folders, then uploads
// for 20 s, while a stand-in window on the main thread takes every update; the main thread's event-loop
// delay (perf_hooks' monitorEventLoopDelay) against the 50 ms target. The signer runs in the bench's process, Ceph in its own.

const FILES = 100_000;
const UPLOAD_SECONDS = 20;

/** 100,000 small files in 100 folders under bench/.data/, written once. */
function tree(): string {
  const dir = join(DATA, 'loop100k');
  if (existsSync(`${dir}.done`)) return dir;
  for (let i = 0; i < FILES; i++) {
    const folder = join(dir, `dir-${String(i % 100).padStart(3, '0')}`);
    if (i < 100) mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `file-${i}.txt`), String(i));
  }
  writeFileSync(`${dir}.done`, '');
  return dir;
}

const line = (phase: string, d: PhaseDelays): string =>
  `${phase} ${d.files.toLocaleString('en')} files in ${d.seconds.toFixed(1)} s: p50 ${d.p50} ms, p99 ${d.p99} ms (target <= 50), max ${d.max} ms; held by the service's own work p99 ${d.heldP99} ms, max ${d.heldMax} ms, ${(d.heldShare * 100).toFixed(1)} % of the time`;

/** The desktop service's event-loop delay while it plans and uploads 100,000 files; prints both phases. */
export async function benchDesktopLoop(s3: CephGateway): Promise<void> {
  const folder = tree();
  const signer = await startTestSigner(s3, { rateLimit: { max: 1_000_000, windowMs: 60_000 } });
  try {
    const delays = await measureServiceLoop(folder, signer.url, signer.tokens.alice, UPLOAD_SECONDS);
    console.log(
      `Desktop main process, event-loop delay past the 10 ms sampling interval: ${line('planning', delays.plan)}; ` +
        `${line('uploading', delays.upload)}; ${delays.updates} updates to the window`,
    );
  } finally {
    await signer.close();
  }
}
