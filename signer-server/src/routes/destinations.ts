import Router from '@koa/router';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { readBody } from '../middleware/read-body';
import { ListDestinationRequestSchema, resolveFolder, type ListDestinationResponse } from '@hoist/protocol';
import { destinationError } from './destination-error';

/** S3 listing pages read for one answer: 5,000 objects, so a far client needs few round trips. */
const PAGES_PER_ANSWER = 5;

/**
 * POST /v1/destinations/list: what a destination inside the caller's prefix holds (path, size, ETag), in
 * pages of up to 5,000, so a client can tell what is already there with a few requests, not one per file.
 * With `?with=modified` each object also says when S3 last wrote it.
 */
export function destinationRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.post('/v1/destinations/list', async (ctx) => {
    const body = readBody(ctx, ListDestinationRequestSchema);
    const caller = ctx.state.caller as Caller;
    const resolved = resolveFolder('', body.destination, caller.destinations);
    if ('code' in resolved) throw destinationError(resolved);
    const base = `${caller.prefix}/${resolved.folder}/`;
    const { storage } = await deps.guard.for(caller);
    const answer: ListDestinationResponse = { objects: [] };
    const withModified = ctx.query.with === 'modified';
    // Listing by prefix from a key after `after`: whatever `after` holds, nothing outside `base` is read.
    let startAfter = body.after === undefined ? undefined : `${base}${body.after}`;
    let truncated = false;
    for (let page = 0; page < PAGES_PER_ANSWER && (page === 0 || truncated); page++) {
      const listed = await storage.listPage(base, startAfter);
      for (const o of listed.objects) {
        answer.objects.push({
          path: o.key.slice(base.length),
          size: o.size,
          etag: o.etag,
          ...(withModified && o.modified ? { modified: o.modified.toISOString() } : {}),
        });
      }
      truncated = listed.truncated;
      startAfter = listed.objects.at(-1)?.key;
    }
    if (truncated) answer.next = startAfter!.slice(base.length);
    ctx.state.fileCount = answer.objects.length;
    ctx.body = answer;
  });
  return router;
}
