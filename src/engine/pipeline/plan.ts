import PQueue from 'p-queue';
import { DuplicateNames, type Policy } from '@hoist/protocol';
import type { ConflictingFile, FileOutcome } from '../../shared/outcome';
import { admit, refusedOutcome, settle, type Rules } from './decisions';
import type { Comparison, DestinationCheck, Verdict } from './destination-check';
import type { PendingFile } from './pending-file';
import { scanFolder } from './scan';
import { DEFAULT_IGNORE } from './scan-entries';
import { quotaShortfalls } from './quota-check';

/** A file the plan will send, with what its destination holds at its key (nothing, or a different file). */
export interface PlannedFile {
  file: PendingFile;
  path: string;
  verdict?: Extract<Verdict, { kind: 'absent' | 'different' }>;
}

/** What a folder will do under a policy, before any byte moves; a batch can start from it. */
export interface FolderPlan {
  root: string;
  /** The id the batch that starts from this plan takes. */
  batchId: string;
  /** The destination the plan compared with, when the batch has one. */
  destination?: string;
  /** Files that will upload: nothing is at their key. */
  upload: { files: number; bytes: number; multipart: number };
  /** Files whose key already holds the same content: they are skipped, no byte sent. */
  alreadyThere: FileOutcome[];
  /** Files whose key holds different content; what becomes of them is the batch's conflict choice. */
  conflicts: ConflictingFile[];
  /** Files the policy refuses, each with its reason: they are never sent. */
  rejected: FileOutcome[];
  /** Files that cannot be read, each with its reason. */
  failed: FileOutcome[];
  /** Entries Hoist chooses not to send: ignored, symlink loops, sockets and devices. */
  skipped: FileOutcome[];
  /** Each of the user's quotas the upload goes past, in words (what it needs, what is left, when it resets). */
  quotas: string[];
  /** What a batch started from the plan works from, so it never scans, lists or hashes again. */
  basis: PlanBasis;
}

/** The plan's working state, for the batch that starts from it. */
export interface PlanBasis {
  policy: Policy;
  ignore: readonly string[];
  followSymlinks: boolean;
  /** The entries of the root the batch takes, when it is a selection; the whole root when absent. */
  only?: readonly string[];
  /** Files to upload and files in conflict, with the MD5s the comparison computed. */
  files: PlannedFile[];
  /** False when the plan was made only to be shown (`keepFiles: false`): `files` is empty and no batch can start from it. */
  startable: boolean;
  /** The destination's listing, made once. */
  check: DestinationCheck | undefined;
}

/** Options of `planFolder`. */
export interface PlanOptions {
  ignore?: readonly string[];
  /** Follow symlinks that lead outside the folder too (skipped by default). */
  followSymlinks?: boolean;
  /** The entries of the root to take (paths from it), for a selection of files and folders; all when absent. */
  only?: readonly string[];
  /** The id the batch will upload under. */
  batchId: string;
  /** Called for each file that will upload, or that is in conflict. */
  onAccept?: (path: string, size: number) => void;
  /** What the batch's destination holds, to find files already there and conflicts. */
  check?: DestinationCheck;
  /**
   * Keep each file a batch started from the plan sends (true by default). A plan only shown, as a dry
   * run's, keeps none: a million files then hold no memory each.
   */
  keepFiles?: boolean;
}

/** The verdict of every file whose key holds nothing, shared. */
const ABSENT = { kind: 'absent' } as const;

/** Files compared with the destination in one go: small ones are hashed in one message to a hash thread. */
const COMPARED_AT_ONCE = 256;

/**
 * Scans a folder and decides every file as the batch's feed would (the same decisions, without signing):
 * the policy's file rules, duplicate names and, with a destination, what it already holds.
 */
export async function planFolder(root: string, policy: Policy, options: PlanOptions): Promise<FolderPlan> {
  const { ignore = DEFAULT_IGNORE, onAccept, batchId, check, only, keepFiles = true } = options;
  const followSymlinks = options.followSymlinks ?? false;
  const basis: PlanBasis = {
    policy,
    ignore,
    followSymlinks,
    ...(only ? { only } : {}),
    files: [],
    startable: keepFiles,
    check,
  };
  const keep = (planned: PlannedFile) => {
    if (keepFiles) basis.files.push(planned);
  };
  const plan: FolderPlan = {
    root,
    batchId,
    ...(check ? { destination: check.destination } : {}),
    upload: { files: 0, bytes: 0, multipart: 0 },
    alreadyThere: [],
    conflicts: [],
    rejected: [],
    failed: [],
    skipped: [],
    quotas: [],
    basis,
  };
  const ended: Record<Exclude<FileOutcome['status'], 'uploaded'>, FileOutcome[]> = {
    skipped: plan.skipped,
    rejected: plan.rejected,
    failed: plan.failed,
  };
  const end = (outcome: FileOutcome) =>
    (outcome.code === 'already-there' ? plan.alreadyThere : ended[outcome.status as keyof typeof ended]).push(outcome);
  const accept = (planned: PlannedFile) => {
    const { size } = planned.file;
    onAccept?.(planned.file.path, size);
    keep(planned);
    plan.upload.files += 1;
    plan.upload.bytes += size;
    if (size >= policy.multipartThreshold) plan.upload.multipart += 1;
  };
  const comparing = new PQueue({ concurrency: 2 });
  const compare = (items: Comparison[]) => {
    void comparing.add(async () => {
      const verdicts = await check!.judgeMany(items);
      items.forEach(({ file, path }, i) => {
        const verdict = verdicts[i]!;
        const settled = settle(file, verdict, undefined);
        if ('fail' in settled) end(refusedOutcome(file, settled.fail.code, settled.fail.message));
        else if ('end' in settled) end(settled.end);
        else if ('send' in settled) accept({ file: settled.send, path, verdict: ABSENT });
        else {
          onAccept?.(file.path, file.size);
          const different = verdict as Extract<Verdict, { kind: 'different' }>;
          const here = { size: file.size, modified: file.mtimeMs };
          plan.conflicts.push({ ...settled.conflict, here, there: different.there });
          keep({ file: different.md5 ? { ...file, md5: different.md5 } : file, path, verdict: different });
        }
      });
    });
  };
  const rules: Rules = { policy, folder: check?.destination ?? batchId };
  const names = new DuplicateNames();
  let group: Comparison[] = [];
  for await (const entry of scanFolder(root, ignore, { followSymlinks, ...(only ? { only } : {}) })) {
    const admitted = admit(entry, names, rules);
    if ('end' in admitted) end(admitted.end);
    else if (!check) accept(admitted);
    else {
      group.push(admitted);
      if (group.length < COMPARED_AT_ONCE) continue;
      compare(group);
      group = [];
      await comparing.onSizeLessThan(2);
    }
  }
  if (group.length) compare(group);
  await comparing.onIdle();
  plan.quotas = quotaShortfalls(policy.quotas, plan.upload);
  return plan;
}
