import type { Middleware } from 'koa';
import { HttpError } from '../errors';
import { isOverLimit, limitsUnavailable } from '../limits/counter-errors';
import type { CounterFactory } from '../limits/counters';

/**
 * Koa middleware around authentication: a client address whose requests failed it (401) `max` times in
 * `windowMs` gets 429 with Retry-After for the rest of the window, whatever token it sends next.
 */
export function authFailureLimit(counters: CounterFactory, max: number, windowMs: number): Middleware {
  const failures = counters.counter('auth-failures', max, Math.max(1, Math.ceil(windowMs / 1000)));
  return async (ctx, next) => {
    let seen;
    try {
      seen = await failures.get(ctx.ip);
    } catch {
      throw limitsUnavailable();
    }
    if (seen && seen.consumedPoints >= max) {
      const seconds = Math.max(1, Math.ceil(seen.msBeforeNext / 1000));
      throw new HttpError(
        429,
        'rate-limited',
        `Too many failed sign-ins from this address; retry after ${seconds} s`,
        undefined,
        { 'retry-after': String(seconds) },
      );
    }
    try {
      await next();
    } catch (error) {
      if (error instanceof HttpError && error.status === 401) {
        await failures.penalty(ctx.ip, 1).catch((failure: unknown) => {
          if (!isOverLimit(failure)) throw limitsUnavailable();
        });
      }
      throw error;
    }
  };
}
