import Router from '@koa/router';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import type { Policy } from '@hoist/protocol';

/** GET /v1/policy: what the caller may upload, so a client can check a folder before any byte moves. */
export function policyRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.get('/v1/policy', async (ctx) => {
    const caller = ctx.state.caller as Caller;
    const p = deps.config.policy;
    const policy: Policy = {
      user: caller.id,
      prefix: caller.prefix,
      maxFileSize: p.maxFileSize,
      allowedTypes: p.allowedTypes,
      maxFilesPerBatch: p.maxFilesPerBatch,
      maxBodyBytes: p.maxBodyBytes,
      multipartThreshold: p.multipartThreshold,
      partSize: p.partSize,
      putUrlTtlSeconds: p.putUrlTtlSeconds,
      viewUrlTtlSeconds: p.viewUrlTtlSeconds,
      overwrite: caller.overwrite ?? p.overwrite,
      destinations: caller.destinations ? [...caller.destinations] : null,
      quotas: await deps.quotas.status(caller),
      ...(deps.config.browseUrl
        ? { browseUrl: deps.config.browseUrl.replaceAll('{bucket}', encodeURIComponent(deps.config.s3.bucket)) }
        : {}),
    };
    ctx.body = policy;
  });
  return router;
}
