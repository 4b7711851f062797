import type { BatchControls } from '../batch/controls';
import type { ProgressTracker } from '../batch/progress-tracker';
import { errors, UploadError } from '../errors';
import type { EngineResources } from '../resources';
import { putRange } from '../transfer/put-range';
import { withRetries } from '../transfer/retry';

/** A signed URL and the exact headers to send with it. */
export interface SignedUrl {
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** What the transfers of one file share: the batch's controls, the engine's resources, its progress. */
export interface TransferContext {
  controls: BatchControls;
  resources: EngineResources;
  tracker: ProgressTracker;
  /** Aborted when the file or its batch is cancelled. */
  signal: AbortSignal;
}

/** One byte range of one file to PUT, and the ETag S3 must answer for it. */
export interface RangeJob {
  /** The file's path in the batch: its pause gate and its progress row. */
  path: string;
  absolutePath: string;
  /** The range's bytes when already in memory (a small file); then the file is not read again. */
  bytes?: Buffer | undefined;
  start: number;
  length: number;
  /** The quoted ETag S3 must return: the range's MD5. */
  etag: string;
  /** What the range is, in a mismatch message: empty for a whole file, ` for part 3` for a part. */
  what: string;
  /** Runs inside the queue slot, before any byte: a streamed file checks it has not changed. */
  beforeSend?: () => Promise<void>;
}

/** Most times a range's URL is signed again after expiring before the range fails. */
const MAX_SIGN_AGAIN = 5;

/**
 * PUTs one range until S3 takes it. Each attempt runs in the shared queue (never while paused) and is
 * retried with backoff on network errors, stalls and 5xx, its bytes taken back from progress when it
 * fails; a URL that expired is signed again with `signAgain`, at most 5 times. Throws `etag-mismatch`
 * when S3's ETag is not the range's MD5, or the error that ended the attempts.
 */
export async function putUntilAccepted(
  context: TransferContext,
  job: RangeJob,
  signed: SignedUrl,
  signAgain: () => Promise<SignedUrl>,
): Promise<void> {
  const { controls, resources, tracker, signal } = context;
  let current = signed;
  for (let signings = 0; ; signings++) {
    try {
      const etag = await withRetries(
        () =>
          controls.runInQueue(job.path, signal, async () => {
            await job.beforeSend?.();
            let sent = 0;
            try {
              return await putRange({
                ...current,
                file: job.absolutePath,
                bytes: job.bytes,
                start: job.start,
                length: job.length,
                agents: resources.agents,
                stallMs: resources.stallMs,
                signal,
                limiter: resources.limiter,
                onBytes: (n) => {
                  sent += n;
                  tracker.bytes(job.path, n);
                },
              });
            } catch (error) {
              tracker.bytes(job.path, -sent);
              throw error;
            }
          }),
        resources.retry,
        signal,
      );
      if (etag !== job.etag) throw errors.etagMismatch(job.what, etag, job.etag);
      return;
    } catch (error) {
      if (!(error instanceof UploadError) || error.kind !== 'sign-again' || signings >= MAX_SIGN_AGAIN) throw error;
      current = await signAgain();
    }
  }
}
