import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { requestContext } from '../observability/logger';

/** An `X-Request-Id` a client or proxy may set: up to 128 letters, digits, `.`, `_`, `-`, `:`. */
const REQUEST_ID = /^[\w.:-]{1,128}$/u;

/**
 * Koa middleware: gives each request an id (the `X-Request-Id` it came with, or a new UUID), returns it
 * in `X-Request-Id`, and runs the rest of the request in its context, so every log line names it.
 */
export function requestIds(): Middleware {
  return async (ctx, next) => {
    const given = ctx.get('x-request-id');
    const id = REQUEST_ID.test(given) ? given : randomUUID();
    ctx.set('x-request-id', id);
    await requestContext.run({ id }, next);
  };
}

/**
 * Logs one JSON line per request: route, status, response time in ms, user, batch, file count, outcome,
 * and the client's address when it was refused (401, 429). Never a token or a URL.
 */
export function requestLog(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const state = ctx.state as { caller?: { id: string }; batch?: string; fileCount?: number; outcome?: string };
      const responseTime = Math.round((performance.now() - started) * 10) / 10;
      log.info(
        {
          method: ctx.method,
          route: (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path,
          status: ctx.status,
          responseTime,
          user: state.caller?.id,
          batch: state.batch,
          files: state.fileCount,
          outcome: state.outcome ?? (ctx.status < 400 ? 'ok' : 'error'),
          ...(ctx.status === 401 || ctx.status === 429 ? { address: ctx.ip } : {}),
        },
        `${ctx.method} ${ctx.path} ${ctx.status} in ${responseTime} ms`,
      );
    }
  };
}

/** How often, at most, the warning about X-Forwarded-For is logged again. */
const FORWARDED_REPEAT_MS = 10 * 60_000;

/**
 * Koa middleware for a signer not told it is behind a proxy: when a request carries X-Forwarded-For, logs
 * (at most every ten minutes) that a proxy seems to sit in front, so every client shares its address.
 */
export function forwardedWarning(log: Logger): Middleware {
  let lastLogged = Number.NEGATIVE_INFINITY;
  return async (ctx, next) => {
    if (ctx.get('x-forwarded-for') && performance.now() - lastLogged >= FORWARDED_REPEAT_MS) {
      lastLogged = performance.now();
      log.warn(
        { event: 'forwarded-for-ignored', address: ctx.ip },
        'A request came with X-Forwarded-For but `behindTlsProxy` is off: if a proxy sits in front, every client shares its address for limits and logs; set `behindTlsProxy` (and `proxyHops`)',
      );
    }
    await next();
  };
}
