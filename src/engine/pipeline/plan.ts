import {
  buildKey,
  DuplicateNames,
  matchesContentType,
  MAX_BATCH_ID_LENGTH,
  normaliseRelativePath,
  type Policy,
} from '@hoist/signer-server/protocol';
import type { FileOutcome } from '../../shared/outcome';
import { contentTypeOf } from './content-type';
import { DEFAULT_IGNORE, problemStatus, scanFolder } from './scan';

/** What a folder will do under a policy, before any byte moves. */
export interface FolderPlan {
  root: string;
  upload: { files: number; bytes: number; multipart: number };
  /** Files the policy refuses or that cannot be read, each with its reason. */
  rejected: FileOutcome[];
  /** Entries Hoist chooses not to send: ignored, symlink loops, sockets and devices. */
  skipped: FileOutcome[];
}

/** Options of `planFolder`. */
export interface PlanOptions {
  ignore?: readonly string[];
  /** Follow symlinks that lead outside the folder too (skipped by default). */
  followSymlinks?: boolean;
  /** The id the batch will upload under, for the key length; the longest an id may be when not known. */
  batchId?: string;
  /** Called for each file that will upload, in scan order. */
  onAccept?: (path: string, size: number) => void;
}

/** Scans a folder and applies the signer's published policy and key rules to every file. */
export async function planFolder(root: string, policy: Policy, options: PlanOptions = {}): Promise<FolderPlan> {
  const { ignore = DEFAULT_IGNORE, onAccept, batchId = 'x'.repeat(MAX_BATCH_ID_LENGTH) } = options;
  const plan: FolderPlan = { root, upload: { files: 0, bytes: 0, multipart: 0 }, rejected: [], skipped: [] };
  const reject = (path: string, size: number, code: string, reason: string) =>
    plan.rejected.push({ path, status: 'failed', size, code, reason });
  const names = new DuplicateNames();
  for await (const entry of scanFolder(root, ignore, { followSymlinks: options.followSymlinks ?? false })) {
    if (entry.kind === 'problem') {
      const outcome: FileOutcome = {
        path: entry.path,
        status: problemStatus(entry),
        size: 0,
        code: entry.code,
        reason: entry.reason,
      };
      (outcome.status === 'skipped' ? plan.skipped : plan.rejected).push(outcome);
      continue;
    }
    const normalised = normaliseRelativePath(entry.path);
    if ('code' in normalised) {
      reject(entry.path, entry.size, normalised.code, normalised.message);
      continue;
    }
    const duplicate = names.check(normalised.path);
    if (duplicate) {
      reject(entry.path, entry.size, 'duplicate-path', duplicate);
      continue;
    }
    const key = buildKey(policy.prefix, batchId, normalised.path);
    if ('code' in key) {
      reject(entry.path, entry.size, key.code, key.message);
      continue;
    }
    if (entry.size > policy.maxFileSize) {
      reject(entry.path, entry.size, 'too-large', `File is ${entry.size} bytes; the limit is ${policy.maxFileSize}`);
      continue;
    }
    const type = contentTypeOf(entry.path);
    if (!matchesContentType(type, policy.allowedTypes)) {
      reject(
        entry.path,
        entry.size,
        'type-not-allowed',
        `Content type \`${type}\` is not allowed; allowed: ${policy.allowedTypes.join(', ')}`,
      );
      continue;
    }
    onAccept?.(entry.path, entry.size);
    plan.upload.files += 1;
    plan.upload.bytes += entry.size;
    if (entry.size >= policy.multipartThreshold) plan.upload.multipart += 1;
  }
  return plan;
}
