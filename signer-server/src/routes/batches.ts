import Router from '@koa/router';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { HttpError } from '../errors';
import { judgeFile, type AcceptedFile } from '../file-policy';
import { readBody } from '../middleware/read-body';
import {
  choosePartSize,
  DuplicateNames,
  isBatchId,
  MAX_BATCH_ID_LENGTH,
  partCount,
  SignBatchRequestSchema,
  type FileResult,
} from '../protocol';

async function signMultipart(deps: SignerDeps, caller: Caller, accepted: AcceptedFile): Promise<FileResult> {
  const { config, storage, tokens } = deps;
  if (!config.policy.overwrite && (await storage.exists(accepted.key))) {
    return {
      status: 'error',
      path: accepted.file.path,
      code: 'exists',
      message: 'An object already exists at this key',
    };
  }
  const size = accepted.file.size;
  const partSize = choosePartSize(size, config.policy.partSize);
  const uploadId = await storage.createUpload(accepted.key, accepted.file.type);
  const expiresAt = Math.floor(Date.now() / 1000) + config.policy.uploadTokenTtlSeconds;
  const token = tokens.issue({ user: caller.id, key: accepted.key, uploadId, size, partSize, expiresAt });
  return {
    status: 'multipart',
    path: accepted.file.path,
    key: accepted.key,
    uploadId,
    partSize,
    partCount: partCount(size, partSize),
    token,
  };
}

/** POST /v1/batches/sign: one result per file, in order: a PUT URL, a multipart plan, or a reason. */
export function batchRoutes(deps: SignerDeps): Router {
  const router = new Router();
  router.post('/v1/batches/sign', async (ctx) => {
    const body = readBody(ctx, SignBatchRequestSchema);
    const caller = ctx.state.caller as Caller;
    const { policy } = deps.config;
    ctx.state.batch = body.batch;
    ctx.state.fileCount = body.files.length;
    if (!isBatchId(body.batch)) {
      throw new HttpError(
        400,
        'invalid-request',
        `Invalid \`batch\`: expected 1-${MAX_BATCH_ID_LENGTH} letters, digits, \`.\`, \`_\` or \`-\`, got \`${body.batch}\``,
        'batch',
      );
    }
    if (body.files.length > policy.maxFilesPerBatch) {
      throw new HttpError(
        413,
        'too-many-files',
        `A batch request may carry ${policy.maxFilesPerBatch} files, got ${body.files.length}`,
        'files',
      );
    }
    const credentials = await deps.storage.credentials();
    const now = new Date();
    const names = new DuplicateNames();
    const results: FileResult[] = [];
    for (const file of body.files) {
      const judged = judgeFile(file, caller, body.batch, policy);
      if ('status' in judged) {
        results.push(judged);
        continue;
      }
      const duplicate = names.check(judged.path);
      if (duplicate) {
        results.push({ status: 'error', path: file.path, code: 'duplicate-path', message: duplicate });
        continue;
      }
      if (judged.multipart) {
        results.push(await signMultipart(deps, caller, judged));
        continue;
      }
      const put = deps.urls.put(
        credentials,
        judged.key,
        {
          contentType: judged.file.type,
          size: file.size,
          md5: file.md5 ?? '',
          createOnly: !policy.overwrite,
          ttlSeconds: policy.putUrlTtlSeconds,
        },
        now,
      );
      results.push({ status: 'put', path: file.path, key: judged.key, ...put });
    }
    ctx.state.outcome = `signed ${results.filter((r) => r.status !== 'error').length}/${results.length}`;
    ctx.body = { files: results };
  });
  return router;
}
