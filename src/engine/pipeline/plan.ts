import PQueue from 'p-queue';
import {
  buildKey,
  DuplicateNames,
  matchesContentType,
  MAX_BATCH_ID_LENGTH,
  normaliseRelativePath,
  tooLargeMessage,
  type Policy,
} from '@hoist/protocol';
import type { FileOutcome } from '../../shared/outcome';
import { readFailure } from '../errors';
import { contentTypeOf } from './content-type';
import type { Comparison, DestinationCheck } from './destination-check';
import { DEFAULT_IGNORE, problemStatus, scanFolder } from './scan';
import { quotaShortfalls } from './quota-check';

/** What a folder will do under a policy, before any byte moves. */
export interface FolderPlan {
  root: string;
  /** The destination the plan compared with, when the batch has one. */
  destination?: string;
  /** Files that will upload: nothing is at their key. */
  upload: { files: number; bytes: number; multipart: number };
  /** Files whose key already holds the same content: they are skipped, no byte sent. */
  alreadyThere: FileOutcome[];
  /** Files whose key holds different content; what becomes of them is the batch's conflict choice. */
  conflicts: FileOutcome[];
  /** Files the policy refuses or that cannot be read, each with its reason. */
  rejected: FileOutcome[];
  /** Entries Hoist chooses not to send: ignored, symlink loops, sockets and devices. */
  skipped: FileOutcome[];
  /** Each of the user's quotas the upload goes past, in words (what it needs, what is left, when it resets). */
  quotas: string[];
}

/** Options of `planFolder`. */
export interface PlanOptions {
  ignore?: readonly string[];
  /** Follow symlinks that lead outside the folder too (skipped by default). */
  followSymlinks?: boolean;
  /** The id the batch will upload under, for the key length; the longest an id may be when not known. */
  batchId?: string;
  /** Called for each file that will upload, or that is in conflict. */
  onAccept?: (path: string, size: number) => void;
  /** What the batch's destination holds, to find files already there and conflicts. */
  check?: DestinationCheck;
}

/** Files compared with the destination in one go: small ones are hashed in one message to a hash thread. */
const COMPARED_AT_ONCE = 256;

/** Scans a folder and applies the signer's published policy and key rules to every file. */
export async function planFolder(root: string, policy: Policy, options: PlanOptions = {}): Promise<FolderPlan> {
  const { ignore = DEFAULT_IGNORE, onAccept, batchId = 'x'.repeat(MAX_BATCH_ID_LENGTH) } = options;
  const { check } = options;
  const plan: FolderPlan = {
    root,
    ...(check ? { destination: check.destination } : {}),
    upload: { files: 0, bytes: 0, multipart: 0 },
    alreadyThere: [],
    conflicts: [],
    rejected: [],
    skipped: [],
    quotas: [],
  };
  const reject = (path: string, size: number, code: string, reason: string) =>
    plan.rejected.push({ path, status: 'failed', size, code, reason });
  const accept = (path: string, size: number) => {
    onAccept?.(path, size);
    plan.upload.files += 1;
    plan.upload.bytes += size;
    if (size >= policy.multipartThreshold) plan.upload.multipart += 1;
  };
  const comparing = new PQueue({ concurrency: 2 });
  let group: Comparison[] = [];
  const compare = (items: Comparison[]) => {
    void comparing.add(async () => {
      const verdicts = await check!.judgeMany(items);
      items.forEach(({ file }, i) => {
        const verdict = verdicts[i]!;
        const base = { path: file.path, size: file.size };
        if ('error' in verdict) {
          const failure = readFailure(verdict.error);
          reject(file.path, file.size, failure.code, failure.message);
        } else if (verdict.kind === 'absent') accept(file.path, file.size);
        else if (verdict.kind === 'same')
          plan.alreadyThere.push({
            ...base,
            status: 'skipped',
            key: verdict.key,
            code: 'already-there',
            reason: 'Already there',
          });
        else {
          onAccept?.(file.path, file.size);
          plan.conflicts.push({ ...base, status: 'skipped', key: verdict.key, code: 'conflict', reason: verdict.why });
        }
      });
    });
  };
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
    const key = buildKey(policy.prefix, check?.destination ?? batchId, normalised.path);
    if ('code' in key) {
      reject(entry.path, entry.size, key.code, key.message);
      continue;
    }
    if (entry.size > policy.maxFileSize) {
      reject(entry.path, entry.size, 'too-large', tooLargeMessage(entry.size, policy.maxFileSize));
      continue;
    }
    const type = contentTypeOf(entry.path);
    if (!matchesContentType(type, policy.allowedTypes, entry.path)) {
      reject(
        entry.path,
        entry.size,
        'type-not-allowed',
        `Content type \`${type}\` is not allowed; allowed: ${policy.allowedTypes.join(', ')}`,
      );
      continue;
    }
    if (!check) {
      accept(entry.path, entry.size);
      continue;
    }
    group.push({ file: { ...entry, type }, path: normalised.path });
    if (group.length < COMPARED_AT_ONCE) continue;
    compare(group);
    group = [];
    await comparing.onSizeLessThan(2);
  }
  if (group.length) compare(group);
  await comparing.onIdle();
  plan.quotas = quotaShortfalls(policy.quotas, plan.upload);
  return plan;
}
