import Router from '@koa/router';
import type { UserAccess } from '../access/scoped-sessions';
import type { Caller } from '../auth';
import type { SignerDeps } from '../deps';
import { HttpError } from '../errors';
import { judgeFile, type AcceptedFile } from '../file-policy';
import { readBody } from '../middleware/read-body';
import {
  buildKey,
  choosePartSize,
  DuplicateNames,
  isBatchId,
  MAX_BATCH_ID_LENGTH,
  partCount,
  renamedPath,
  resolveFolder,
  SignBatchRequestSchema,
  splitExtension,
  type FileResult,
} from '@hoist/protocol';
import { destinationError } from './destination-error';

/** The highest `(n)` a rename tries before it gives up on a name. */
const MAX_RENAMES = 10_000;

/** Where one accepted file goes: its key, and whether it may replace an object there. */
interface Placement {
  key: string;
  createOnly: boolean;
}

/** What one sign request works with. */
interface SignRequest {
  deps: SignerDeps;
  caller: Caller;
  folder: string;
  /** The caller's credentials and S3 client. */
  access: UserAccess;
  /** The keys held beside each stem a rename looked at: one listing per stem and request. */
  stems: Map<string, Promise<Set<string>>>;
  /** Keys this request has handed out or will, so two files never get one name. */
  taken: Set<string>;
}

async function signMultipart(req: SignRequest, accepted: AcceptedFile, placement: Placement): Promise<FileResult> {
  const { config, tokens } = req.deps;
  const { storage } = req.access;
  const { key, createOnly } = placement;
  if (createOnly && (await storage.exists(key))) {
    return {
      status: 'error',
      path: accepted.file.path,
      code: 'exists',
      message: `An object already exists at \`${key}\``,
    };
  }
  const size = accepted.file.size;
  const partSize = choosePartSize(size, config.policy.partSize);
  const uploadId = await storage.createUpload(key, accepted.file.type);
  const expiresAt = Math.floor(Date.now() / 1000) + config.policy.uploadTokenTtlSeconds;
  const token = tokens.issue({
    user: req.caller.id,
    key,
    uploadId,
    size,
    partSize,
    expiresAt,
    ...(createOnly ? {} : { overwrite: true as const }),
  });
  return {
    status: 'multipart',
    path: accepted.file.path,
    key,
    uploadId,
    partSize,
    partCount: partCount(size, partSize),
    token,
  };
}

/** Every key that starts with `base` (`<folder>/<stem> (`), up to the most a rename would try. */
async function keysBeside(req: SignRequest, base: string): Promise<Set<string>> {
  const held = new Set<string>();
  let after: string | undefined;
  for (let page = 0; page < MAX_RENAMES / 1000; page++) {
    const listed = await req.access.storage.listPage(base, after);
    for (const object of listed.objects) held.add(object.key);
    if (!listed.truncated) break;
    after = listed.objects.at(-1)!.key;
  }
  return held;
}

/**
 * The first `name (n).ext` beside `accepted` that neither the bucket nor this request holds, from one
 * listing per stem and request (`a.jpg` and `a.png` share one).
 */
async function freeName(req: SignRequest, accepted: AcceptedFile): Promise<Placement | FileResult> {
  const { prefix } = req.caller;
  const base = `${prefix}/${req.folder}/${splitExtension(accepted.path).stem} (`;
  let listing = req.stems.get(base);
  if (!listing) {
    listing = keysBeside(req, base);
    req.stems.set(base, listing);
  }
  const held = await listing;
  for (let n = 1; n <= MAX_RENAMES; n++) {
    const built = buildKey(prefix, req.folder, renamedPath(accepted.path, n));
    if ('code' in built) return { status: 'error', path: accepted.file.path, code: built.code, message: built.message };
    if (!held.has(built.key) && !req.taken.has(built.key)) return { key: built.key, createOnly: true };
  }
  return {
    status: 'error',
    path: accepted.file.path,
    code: 'exists',
    message: `Every name from \`(1)\` to \`(${MAX_RENAMES})\` beside \`${accepted.key}\` is taken`,
  };
}

/** Decides where a file goes under its conflict choice: its own key, create-only; replacing it; or a free name. */
async function place(req: SignRequest, accepted: AcceptedFile): Promise<Placement | FileResult> {
  const { conflict } = accepted.file;
  if (conflict === 'rename') return freeName(req, accepted);
  if (conflict !== 'overwrite') return { key: accepted.key, createOnly: true };
  if (req.caller.overwrite ?? req.deps.config.policy.overwrite) return { key: accepted.key, createOnly: false };
  return {
    status: 'error',
    path: accepted.file.path,
    code: 'overwrite-not-allowed',
    message: `The signer's policy does not let you replace \`${accepted.key}\`; skip the file or upload it under another name`,
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
    const resolved = resolveFolder(body.batch, body.destination, caller.destinations);
    if ('code' in resolved) throw destinationError(resolved);
    const access = await deps.guard.for(caller);
    const req: SignRequest = { deps, caller, folder: resolved.folder, access, stems: new Map(), taken: new Set() };
    const names = new DuplicateNames();
    const judged = body.files.map((file): AcceptedFile | FileResult => {
      const result = judgeFile(file, caller, req.folder, policy);
      if ('status' in result) return result;
      const duplicate = names.check(result.path);
      if (duplicate) return { status: 'error', path: file.path, code: 'duplicate-path', message: duplicate };
      req.taken.add(result.key);
      return result;
    });
    const signable = judged.filter((entry): entry is AcceptedFile => !('status' in entry));
    const refusals = await deps.quotas.take(
      caller,
      { id: body.batch, folder: resolved.folder },
      signable.map((entry) => entry.file),
    );
    const overQuota = new Map(signable.flatMap((entry, i) => (refusals[i] ? [[entry, refusals[i]] as const] : [])));
    const now = new Date();
    const results: FileResult[] = [];
    for (const accepted of judged) {
      if ('status' in accepted) {
        results.push(accepted);
        continue;
      }
      const refusal = overQuota.get(accepted);
      if (refusal) {
        results.push({ status: 'error', path: accepted.file.path, ...refusal });
        continue;
      }
      const placement = await place(req, accepted);
      if ('status' in placement) {
        results.push(placement);
        continue;
      }
      req.taken.add(placement.key);
      if (accepted.multipart) {
        results.push(await signMultipart(req, accepted, placement));
        continue;
      }
      const put = deps.urls.put(
        access.credentials,
        placement.key,
        {
          contentType: accepted.file.type,
          size: accepted.file.size,
          md5: accepted.file.md5 ?? '',
          createOnly: placement.createOnly,
          ttlSeconds: access.ttl(policy.putUrlTtlSeconds),
          pinAcl: deps.guard.unsignedHeadersAccepted,
        },
        now,
      );
      results.push({ status: 'put', path: accepted.file.path, key: placement.key, ...put });
    }
    body.files.forEach((file, i) => {
      const result = results[i]!;
      deps.audit.fileSigned({ user: caller.id, batch: body.batch, size: file.size, md5: file.md5, result });
      deps.metrics.fileSigned(result, file.size);
    });
    ctx.state.outcome = `signed ${results.filter((r) => r.status !== 'error').length}/${results.length}`;
    ctx.body = { files: results };
  });
  return router;
}
