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
