import type { Context, Middleware } from 'koa';
import type { CounterFactory } from './counters';
import { isOverLimit, limitsUnavailable, rateLimited } from './counter-errors';

/** Koa middleware: 429 with Retry-After once `max` requests with one id came in `windowMs`, on every replica together. */
export function rateLimit(
  counters: CounterFactory,
  name: string,
  max: number,
  windowMs: number,
  id: (ctx: Context) => string,
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
    await next();
  };
}
