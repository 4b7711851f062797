import { RateLimiterRes } from 'rate-limiter-flexible';
import { HttpError } from '../errors';

/** Whether a counter's rejection means "over the limit" (as opposed to the store failing). */
export function isOverLimit(error: unknown): error is RateLimiterRes {
  return error instanceof RateLimiterRes;
}

/** The answer when the shared counters cannot be reached and the signer is set to refuse meanwhile. */
export function limitsUnavailable(): HttpError {
  return new HttpError(
    503,
    'limits-unavailable',
    'The signer cannot reach the store its limits are counted in; retry shortly',
    undefined,
    { 'retry-after': '5' },
  );
}

/** 429 with Retry-After, from a counter's rejection. */
export function rateLimited(res: RateLimiterRes, what: string): HttpError {
  const seconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
  return new HttpError(429, 'rate-limited', `${what}; retry after ${seconds} s`, undefined, {
    'retry-after': String(seconds),
  });
}
