import type { BatchControls } from '../run/controls';
import type { ProgressTracker } from '../run/progress-tracker';
import { asUploadError, errors, readFailure, UploadError } from '../errors';
import { md5OfRange } from '../hashing/range-md5';
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
 * Tells apart the two causes of S3's BadDigest: the range hashed again as it was means the bytes were
 * damaged on the way (a faulty proxy or link), which another attempt can fix; otherwise the file changed.
 * Bytes held in memory are what was hashed and sent, so for them it is always the way.
 */
async function diagnoseBadDigest(job: RangeJob): Promise<UploadError> {
  const expected = job.etag.slice(1, -1);
  let now: string;
  try {
    now = job.bytes ? expected : await md5OfRange(job.absolutePath, job.start, job.length);
  } catch (error) {
    return readFailure(error);
  }
  return now === expected ? errors.damagedInTransit() : errors.changedDuringUpload();
}

/**
 * PUTs one range until S3 takes it. Each attempt runs in the shared queue (never while paused) and is
 * retried with backoff on network errors, stalls and 5xx, its bytes taken back from progress when it
 * fails; a URL that expired is signed again with `signAgain`, at most 5 times; a BadDigest is retried
 * only when the range on disk is unchanged (damage on the way, counted in `damagedInTransit`). Throws
 * `etag-mismatch` when S3's ETag is not the range's MD5, or the error that ended the attempts.
 */
export async function putUntilAccepted(
  context: TransferContext,
  job: RangeJob,
  signed: SignedUrl,
  signAgain: () => Promise<SignedUrl>,
): Promise<{ damagedInTransit: number }> {
  let damagedInTransit = 0;
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
              const accepted = await putRange({
                ...current,
                file: job.absolutePath,
                bytes: job.bytes,
                start: job.start,
                length: job.length,
                connections: resources.connections,
                buffers: resources.readBuffers,
                stallMs: resources.stallMs,
                signal,
                limiter: resources.limiter,
                onBytes: (n) => {
                  sent += n;
                  tracker.bytes(job.path, n);
                  resources.budget.sent(n);
                },
              });
              resources.budget.completed();
              tracker.confirmed(job.path, sent);
              return accepted;
            } catch (error) {
              tracker.bytes(job.path, -sent);
              resources.budget.failed(asUploadError(error));
              if (!(error instanceof UploadError) || error.code !== 'bad-digest') throw error;
              const diagnosed = await diagnoseBadDigest(job);
              if (diagnosed.code === 'damaged-in-transit') damagedInTransit += 1;
              throw diagnosed;
            }
          }),
        resources.retry,
        signal,
      );
      if (etag !== job.etag) throw errors.etagMismatch(job.what, etag, job.etag);
      return { damagedInTransit };
    } catch (error) {
      if (!(error instanceof UploadError) || error.kind !== 'sign-again' || signings >= MAX_SIGN_AGAIN) throw error;
      current = await signAgain();
    }
  }
}
