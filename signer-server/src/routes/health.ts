import Router from '@koa/router';
import type { SignerDeps } from '../deps';
import { SIGNER_VERSION } from '../version';

/** How long one bucket check answers /readyz: a flood of unauthenticated probes costs S3 one call per period. */
const READY_CACHE_MS = 5000;

/** Runs `check` at most once per `ms`; callers in between share the last answer, or the one in flight. */
function cached<T>(check: () => Promise<T>, ms: number): () => Promise<T> {
  let last: { at: number; answer: Promise<T> } | undefined;
  return () => {
    const now = performance.now();
    if (!last || now - last.at >= ms) last = { at: now, answer: check() };
    return last.answer;
  };
}

/**
 * /healthz answers while the process runs; /readyz only while the bucket answers too (checked every 5 s),
 * and says how URLs are signed and what the store does with unsigned headers (probed every 10 min).
 */
export function healthRoutes(deps: SignerDeps): Router {
  const router = new Router();
  const bucketReachable = cached(() => deps.storage.bucketReachable(), READY_CACHE_MS);
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true, version: SIGNER_VERSION };
  });
  router.get('/readyz', async (ctx) => {
    if (deps.lifecycle.draining) {
      ctx.status = 503;
      ctx.body = { ok: false, error: { code: 'shutting-down', message: 'The signer is shutting down' } };
      return;
    }
    const [ready, safety] = await Promise.all([bucketReachable(), deps.guard.report()]);
    ctx.status = ready ? 200 : 503;
    ctx.body = ready
      ? { ok: true, ...safety }
      : { ok: false, ...safety, error: { code: 'bucket-unreachable', message: 'The bucket did not answer' } };
  });
  return router;
}
