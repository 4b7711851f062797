import pRetry, { AbortError } from 'p-retry';
import { setTimeout as sleep } from 'node:timers/promises';
import { asUploadError, errors, type UploadError } from '../errors';

/** How hard to retry: attempts after the first, and the backoff range in milliseconds. */
export interface RetryOptions {
  retries: number;
  minDelayMs: number;
  maxDelayMs: number;
  /** Called before each retry, for progress and logs. */
  onRetry?: (error: UploadError, attempt: number) => void;
}

/** Defaults for transfers over the internet: at least 90 s of backoff, enough to ride out a signer restart. */
export const DEFAULT_RETRY: RetryOptions = { retries: 8, minDelayMs: 500, maxDelayMs: 30_000 };

/**
 * Runs `attempt` until it succeeds, with exponential backoff (randomised 1-2x) on retryable errors;
 * honours Retry-After; fails at once on fatal ones. Always rejects with an UploadError.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  options: RetryOptions,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await pRetry(
      async () => {
        try {
          return await attempt();
        } catch (error) {
          const failure = asUploadError(error);
          throw failure.kind === 'retry' ? failure : new AbortError(failure);
        }
      },
      {
        retries: options.retries,
        minTimeout: options.minDelayMs,
        maxTimeout: options.maxDelayMs,
        randomize: true,
        signal,
        onFailedAttempt: async ({ error, attemptNumber }) => {
          const failure = error as UploadError;
          options.onRetry?.(failure, attemptNumber);
          // p-retry waits its own backoff after this; Retry-After asks for at least this long.
          if (failure.retryAfterMs) await sleep(failure.retryAfterMs, undefined, { signal });
        },
      },
    );
  } catch (error) {
    if (signal?.aborted) throw errors.cancelled();
    throw asUploadError(error);
  }
}
