import Router from '@koa/router';
import pMap from 'p-map';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { readBody } from '../middleware/read-body';
import { isInlineSafe, isOwnedKey, isWithinPrefix, LinksRequestSchema, type LinkResult } from '@hoist/protocol';
import { callerFolders } from '../access/session-policy';

/** HeadObject calls in flight for one request: enough to hide S3's latency, few enough to be fair. */
const HEADS_AT_ONCE = 16;

/**
 * POST /v1/links: a view link for each key the caller owns (inside their allowed destinations, when they
 * have some) and S3 holds, so no link exists before its
 * upload does. A type not known to be inert is signed as a download, never shown from the bucket's origin.
 */
export function linkRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.post('/v1/links', async (ctx) => {
    const { keys } = readBody(ctx, LinksRequestSchema);
    const caller = ctx.state.caller as Caller;
    const access = await deps.guard.for(caller);
    const folders = callerFolders(caller);
    const ttlSeconds = access.ttl(deps.config.policy.viewUrlTtlSeconds);
    ctx.state.fileCount = keys.length;
    const links = await pMap(
      keys,
      async (key): Promise<LinkResult> => {
        if (!isOwnedKey(key, caller.prefix)) {
          return { status: 'error', key, code: 'forbidden', message: `Key \`${key}\` is not one of yours` };
        }
        if (!folders.some((folder) => isWithinPrefix(key, folder))) {
          return {
            status: 'error',
            key,
            code: 'forbidden',
            message: `Key \`${key}\` is outside the folders you may use: ${folders.map((f) => `\`${f}\``).join(', ')}`,
          };
        }
        const object = await access.storage.head(key);
        if (!object) return { status: 'error', key, code: 'not-found', message: `No object at \`${key}\`` };
        const attachment = !isInlineSafe(object.contentType);
        const { url, expiresAt } = deps.urls.view(access.credentials, key, { ttlSeconds, attachment });
        return { status: 'ok', key, url, expiresAt, disposition: attachment ? 'attachment' : 'inline', ...object };
      },
      { concurrency: HEADS_AT_ONCE },
    );
    ctx.state.outcome = `linked ${links.filter((l) => l.status === 'ok').length}/${links.length}`;
    ctx.body = { links };
  });
  return router;
}
