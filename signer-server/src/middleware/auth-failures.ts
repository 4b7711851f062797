import { createHash } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import { HttpError } from '../errors';
import { addressKey } from '../limits/client-address';
import { isOverLimit, limitsUnavailable } from '../limits/counter-errors';
import type { CounterFactory } from '../limits/counters';

/** A short fingerprint of the bearer credential a request presents, so a log or a counter never holds it. */
function credentialKey(ctx: Context): string | undefined {
  const credential = /^Bearer (\S+)$/u.exec(ctx.get('authorization'))?.[1];
  return credential ? createHash('sha256').update(credential).digest('base64url').slice(0, 22) : undefined;
}

/**
 * Koa middleware around authentication. A client address (an IPv6 one by its /64) or a credential whose
 * requests failed it (401) `max` times in `windowMs` is locked for the rest of the window: while locked,
 * a request whose credential does not verify gets 429 with Retry-After. A request whose credential
 * verifies is never refused here, so guesses from one address lock out no one who holds a valid token.
 */
export function authFailureLimit(counters: CounterFactory, max: number, windowMs: number): Middleware {
  const failures = counters.counter('auth-failures', max, Math.max(1, Math.ceil(windowMs / 1000)));
  return async (ctx, next) => {
    const keys = [`address:${addressKey(ctx.ip)}`];
    const credential = credentialKey(ctx);
    if (credential) keys.push(`credential:${credential}`);
    let lockedFor = 0;
    try {
      for (const key of keys) {
        const seen = await failures.get(key);
        if (seen && seen.consumedPoints >= max) lockedFor = Math.max(lockedFor, seen.msBeforeNext);
      }
    } catch {
      throw limitsUnavailable();
    }
    try {
      await next();
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 401) throw error;
      for (const key of keys) {
        await failures.penalty(key, 1).catch((failure: unknown) => {
          if (!isOverLimit(failure)) throw limitsUnavailable();
        });
      }
      if (!lockedFor) throw error;
      const seconds = Math.max(1, Math.ceil(lockedFor / 1000));
      throw new HttpError(
        429,
        'rate-limited',
        `Too many failed sign-ins from this address; retry after ${seconds} s`,
        undefined,
        { 'retry-after': String(seconds) },
      );
    }
  };
}
