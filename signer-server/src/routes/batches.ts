import Router from '@koa/router';
import { SignBatchRequestSchema } from '@hoist/protocol';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { readBody } from '../middleware/read-body';
import { batchFolder } from '../signing/batch-folder';
import { signBatch } from '../signing/sign-batch';

/** POST /v1/batches/sign: one result per file, in order: a PUT URL, a multipart plan, or a reason. */
export function batchRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.post('/v1/batches/sign', async (ctx) => {
    const body = readBody(ctx, SignBatchRequestSchema);
    const caller = ctx.state.caller as Caller;
    Object.assign(ctx.state, { batch: body.batch, fileCount: body.files.length });
    const folder = batchFolder(body, caller, deps.config.policy);
    const access = await deps.guard.for(caller);
    const context = { deps, caller, batch: body.batch, folder, access, stems: new Map(), taken: new Set<string>() };
    const results = await signBatch(context, body.files);
    body.files.forEach((file, i) => {
      deps.audit.fileSigned({
        user: caller.id,
        batch: body.batch,
        size: file.size,
        md5: file.md5,
        result: results[i]!,
      });
      deps.metrics.fileSigned(results[i]!, file.size);
    });
    ctx.state.outcome = `signed ${results.filter((r) => r.status !== 'error').length}/${results.length}`;
    ctx.body = { files: results };
  });
  return router;
}
