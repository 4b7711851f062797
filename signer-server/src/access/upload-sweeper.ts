import type { Logger } from 'pino';
import type { Storage } from '../storage';

/** How long past its token's life an open upload is left before it is aborted: the margin for clocks and retries. */
const MARGIN_MS = 60 * 60_000;
/** How often the bucket is swept. */
const EVERY_MS = 60 * 60_000;

/**
 * Aborts the multipart uploads open under `prefixes` that began more than `tokenTtlSeconds` (plus an
 * hour) before `now`: no client holds a valid token for them any more, so their parts only cost storage.
 * Returns how many it aborted.
 */
export async function sweepStaleUploads(
  storage: Storage,
  prefixes: readonly string[],
  tokenTtlSeconds: number,
  now = Date.now(),
): Promise<number> {
  const before = now - tokenTtlSeconds * 1000 - MARGIN_MS;
  let aborted = 0;
  for (const prefix of prefixes) {
    for (const upload of await storage.openUploads(`${prefix}/`)) {
      if (upload.initiated.getTime() >= before) continue;
      await storage.abort(upload.key, upload.uploadId);
      aborted += 1;
    }
  }
  return aborted;
}

/**
 * Sweeps every hour, the first time an hour after start (uploads worth aborting are days old; a signer
 * that just started has nothing urgent to do), and logs what it aborted; `stop` ends it.
 */
export function scheduleSweeps(sweep: () => Promise<number>, log: Logger): { stop(): void } {
  const run = (): void =>
    void sweep().then(
      (aborted) => {
        if (aborted)
          log.info({ event: 'uploads-swept', aborted }, `Aborted ${aborted} multipart uploads no token can finish`);
      },
      (error: unknown) =>
        log.warn(
          { event: 'uploads-sweep-failed', err: (error as Error).message },
          'Could not sweep stale multipart uploads',
        ),
    );
  const every = setInterval(run, EVERY_MS).unref();
  return {
    stop() {
      clearInterval(every);
    },
  };
}
