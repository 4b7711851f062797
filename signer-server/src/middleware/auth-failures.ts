import type { Middleware } from 'koa';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { HttpError } from '../errors';

/**
 * Koa middleware around authentication: a client address whose requests failed it (401) `max` times in
 * `windowMs` gets 429 with Retry-After for the rest of the window, whatever token it sends next.
 */
export function authFailureLimit(max: number, windowMs: number): Middleware {
  const failures = new RateLimiterMemory({ points: max, duration: Math.max(1, Math.ceil(windowMs / 1000)) });
  return async (ctx, next) => {
    const seen = await failures.get(ctx.ip);
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
      if (error instanceof HttpError && error.status === 401) await failures.penalty(ctx.ip, 1);
      throw error;
    }
  };
}
