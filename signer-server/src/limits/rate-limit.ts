import type { Context, Middleware } from 'koa';
import type { CounterFactory } from './counters';
import { isOverLimit, limitsUnavailable, rateLimited } from './counter-errors';
import { s3CallTally } from '../storage';

/**
 * S3 calls that count as one request: a caller's default 600 requests a minute then allow 6,000 calls
 * to the bucket, enough for links to 5,000 files in a minute, and a flood of renames is slowed to that.
 */
const S3_CALLS_PER_REQUEST = 10;

/**
 * Koa middleware: 429 with Retry-After once `max` requests with one id came in `windowMs`, on every
 * replica together. With `weighByS3Calls`, every ten S3 calls serving a request count as one more
 * request, so a request that makes 1,000 calls (renames, links) costs what 100 requests do and slows
 * its caller down from then on.
 */
export function rateLimit(
  counters: CounterFactory,
  name: string,
  max: number,
  windowMs: number,
  id: (ctx: Context) => string,
  options: { weighByS3Calls?: boolean } = {},
): Middleware {
  const counter = counters.counter(name, max, Math.max(1, Math.ceil(windowMs / 1000)));
  return async (ctx, next) => {
    try {
      const res = await counter.consume(id(ctx));
      ctx.set('x-ratelimit-remaining', String(res.remainingPoints));
    } catch (error) {
      if (isOverLimit(error)) throw rateLimited(error, 'Too many requests');
      throw limitsUnavailable();
    }
    if (!options.weighByS3Calls) return next();
    const tally = { calls: 0 };
    try {
      await s3CallTally.run(tally, next);
    } finally {
      const extra = Math.floor(tally.calls / S3_CALLS_PER_REQUEST);
      if (extra > 0) await counter.penalty(id(ctx), extra).catch(() => undefined);
    }
  };
}
