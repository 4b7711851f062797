import { timingSafeEqual } from 'node:crypto';
import Router from '@koa/router';
import { hashToken } from '../auth';
import { HttpError } from '../errors';
import type { SignerMetrics } from '../observability/metrics';

/** GET /metrics: the Prometheus text format; behind a bearer token when `metricsTokenSha256` is set. */
export function metricsRoutes(metrics: SignerMetrics, tokenSha256: string | undefined): Router {
  const router = new Router();
  const expected = tokenSha256 ? Buffer.from(tokenSha256, 'hex') : undefined;
  router.get('/metrics', async (ctx) => {
    if (expected) {
      const presented = /^Bearer (\S+)$/u.exec(ctx.get('authorization'))?.[1];
      if (!presented || !timingSafeEqual(Buffer.from(hashToken(presented), 'hex'), expected)) {
        throw new HttpError(401, 'unauthorized', 'Expected the metrics token as `Authorization: Bearer <token>`');
      }
    }
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
