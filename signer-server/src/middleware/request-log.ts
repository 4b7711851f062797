import type { Middleware } from 'koa';
import type { Logger } from 'pino';

/**
 * Logs one JSON line per request: route, status, time, user, batch, file count, outcome, and the client's
 * address when it was refused (401, 429). Never a token or a URL.
 */
export function requestLog(log: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const state = ctx.state as { caller?: { id: string }; batch?: string; fileCount?: number; outcome?: string };
      log.info({
        method: ctx.method,
        route: (ctx as { _matchedRoute?: string })._matchedRoute ?? ctx.path,
        status: ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        user: state.caller?.id,
        batch: state.batch,
        files: state.fileCount,
        outcome: state.outcome ?? (ctx.status < 400 ? 'ok' : 'error'),
        ...(ctx.status === 401 || ctx.status === 429 ? { address: ctx.ip } : {}),
      });
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
