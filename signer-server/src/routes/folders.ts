import Router from '@koa/router';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { readBody } from '../middleware/read-body';
import { ListFoldersRequestSchema, type ListFoldersResponse } from '@hoist/protocol';

/**
 * POST /v1/folders/list: the folders a caller has, a page (up to 1,000) at a time: those directly inside
 * their prefix, or, when the policy gives them destinations, those destinations (all they may list).
 */
export function folderRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.post('/v1/folders/list', async (ctx) => {
    const { page } = readBody(ctx, ListFoldersRequestSchema);
    const caller = ctx.state.caller as Caller;
    if (caller.destinations?.length) {
      ctx.body = { folders: [...caller.destinations].sort() } satisfies ListFoldersResponse;
      return;
    }
    const { storage } = await deps.guard.for(caller);
    // The page token goes back to S3 only beside this caller's own prefix, so it lists nothing else.
    const answer: ListFoldersResponse = await storage.listFolders(`${caller.prefix}/`, page);
    ctx.body = answer;
  });
  return router;
}
