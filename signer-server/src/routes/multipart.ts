import Router from '@koa/router';
import type { Context } from 'koa';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { HttpError } from '../errors';
import { readBody } from '../middleware/read-body';
import { partCount, partLength, SignPartsRequestSchema, UploadRefSchema } from '@hoist/protocol';
import type { UploadClaims } from '../upload-token';

/** Verifies the upload token and that it belongs to the caller; throws 403 otherwise. */
function claimsFor(ctx: Context, deps: SignerDeps, token: string): UploadClaims {
  const caller = ctx.state.caller as Caller;
  const claims = deps.tokens.verify(token);
  if ('reason' in claims) throw new HttpError(403, 'invalid-upload-token', claims.reason, 'token');
  if (claims.user !== caller.id || !claims.key.startsWith(`${caller.prefix}/`)) {
    throw new HttpError(403, 'forbidden', 'This upload token belongs to another user', 'token');
  }
  return claims;
}

/** Routes that sign parts for, list, complete and abort one multipart upload named by its token. */
export function multipartRoutes(deps: SignerDeps): Router {
  const router = new Router({ prefix: '/v1/multipart' });

  router.post('/parts', async (ctx) => {
    const body = readBody(ctx, SignPartsRequestSchema);
    const claims = claimsFor(ctx, deps, body.token);
    const count = partCount(claims.size, claims.partSize);
    const access = await deps.guard.for(ctx.state.caller as Caller);
    const ttlSeconds = access.ttl(deps.config.policy.putUrlTtlSeconds);
    const now = new Date();
    ctx.state.fileCount = body.parts.length;
    ctx.body = {
      parts: body.parts.map((part, i) => {
        if (part.partNumber > count) {
          throw new HttpError(
            400,
            'invalid-part',
            `Invalid \`parts[${i}].partNumber\`: the upload has ${count} parts, got \`${part.partNumber}\``,
            `parts[${i}].partNumber`,
          );
        }
        const expected = partLength(claims.size, claims.partSize, part.partNumber);
        if (part.size !== expected) {
          throw new HttpError(
            400,
            'invalid-part',
            `Invalid \`parts[${i}].size\`: part ${part.partNumber} is ${expected} bytes, got \`${part.size}\``,
            `parts[${i}].size`,
          );
        }
        const signed = deps.urls.part(
          access.credentials,
          claims.key,
          { uploadId: claims.uploadId, ...part },
          ttlSeconds,
          now,
        );
        return { partNumber: part.partNumber, ...signed };
      }),
    };
  });

  router.post('/list', async (ctx) => {
    const claims = claimsFor(ctx, deps, readBody(ctx, UploadRefSchema).token);
    const { storage } = await deps.guard.for(ctx.state.caller as Caller);
    ctx.body = { parts: await storage.listParts(claims.key, claims.uploadId) };
  });

  router.post('/complete', async (ctx) => {
    const claims = claimsFor(ctx, deps, readBody(ctx, UploadRefSchema).token);
    const { storage } = await deps.guard.for(ctx.state.caller as Caller);
    const parts = await storage.listParts(claims.key, claims.uploadId);
    const count = partCount(claims.size, claims.partSize);
    const total = parts.reduce((sum, p) => sum + p.size, 0);
    const wrong = parts.find(
      (p, i) => p.partNumber !== i + 1 || p.size !== partLength(claims.size, claims.partSize, p.partNumber),
    );
    if (parts.length !== count || total !== claims.size || wrong) {
      throw new HttpError(
        409,
        'incomplete-upload',
        `The plan is ${count} parts and ${claims.size} bytes; S3 holds ${parts.length} parts and ${total} bytes`,
      );
    }
    await storage.complete(claims.key, claims.uploadId, parts, !claims.overwrite);
    const etag = await storage.etag(claims.key);
    deps.audit.multipartCompleted(claims.user, claims.key, total, etag);
    deps.metrics.multipartCompleted();
    ctx.body = { key: claims.key, etag, size: total };
  });

  router.post('/abort', async (ctx) => {
    const claims = claimsFor(ctx, deps, readBody(ctx, UploadRefSchema).token);
    const { storage } = await deps.guard.for(ctx.state.caller as Caller);
    await storage.abort(claims.key, claims.uploadId);
    ctx.status = 204;
  });

  return router;
}
