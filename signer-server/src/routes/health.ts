import Router from '@koa/router';
import type { SignerDeps } from '../deps';

/** /healthz answers while the process runs; /readyz only while the bucket answers too. */
export function healthRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  router.get('/readyz', async (ctx) => {
    const ready = await deps.storage.bucketReachable();
    ctx.status = ready ? 200 : 503;
    ctx.body = ready
      ? { ok: true }
      : { ok: false, error: { code: 'bucket-unreachable', message: 'The bucket did not answer' } };
  });
  return router;
}
