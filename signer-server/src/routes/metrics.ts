import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { hashToken } from '../auth';
import { HttpError } from '../errors';
import { isLoopbackHost } from '@hoist/protocol';
import type { SignerMetrics } from '../observability/metrics';

/**
 * GET /metrics: the Prometheus text format; behind a bearer token when `metricsTokenSha256` is set (its
 * failures count as failed sign-ins), and only to this machine otherwise.
 */
export function metricsRoutes(metrics: SignerMetrics, tokenSha256: string | undefined): Router {
  const router = new Router();
  const expected = tokenSha256 ? Buffer.from(tokenSha256, 'hex') : undefined;
  router.get('/metrics', async (ctx) => {
    if (expected) {
      const presented = /^Bearer (\S+)$/u.exec(ctx.get('authorization'))?.[1];
      if (!presented || !timingSafeEqual(Buffer.from(hashToken(presented), 'hex'), expected)) {
        throw new HttpError(401, 'unauthorized', 'Expected the metrics token as `Authorization: Bearer <token>`');
      }
    } else if (!isLoopbackHost(ctx.ip)) {
      throw new HttpError(
        403,
        'forbidden',
        '`/metrics` answers other machines only with a token: the admin sets `metricsTokenSha256`',
      );
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
