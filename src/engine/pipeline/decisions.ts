import { DuplicateNames, judgeFile, normaliseRelativePath, type Policy } from '@hoist/protocol';
import type { ConflictChoice } from '../../shared/conflicts';
import { isRefusal, type FileOutcome } from '../../shared/outcome';
import { readFailure, type UploadError } from '../errors';
import { contentTypeOf } from './content-type';
import type { Verdict } from './destination-check';
import type { PendingFile } from './pending-file';
import { problemStatus, type ScannedFile, type ScanProblem } from './scan-entries';

// The one place that decides what becomes of a file before it is signed. The batch's feed and the plan
// both ask it, so a file the plan calls "already there" or "refused" ends the same way in the run.

/** A file that goes on, with its path as a key segment; or how it ends here. */
export type Admission = { file: PendingFile; path: string } | { end: FileOutcome };

/** What the batch's files are judged against: the signer's published policy and the folder they go to. */
export interface Rules {
  policy: Policy;
  /** The folder inside the prefix: the destination, or the batch's own id. */
  folder: string;
}

/** How an entry the scan could not take ends: skipped when Hoist chose not to send it, failed when unreadable. */
export function problemOutcome(entry: ScanProblem): FileOutcome {
  return { path: entry.path, status: problemStatus(entry), size: 0, code: entry.code, reason: entry.reason };
}

/** How a file ends that goes no further: rejected when the policy refuses it, failed otherwise; with the code and words. */
export function refusedOutcome(file: { path: string; size: number }, code: string, reason: string): FileOutcome {
  return { path: file.path, status: isRefusal(code) ? 'rejected' : 'failed', size: file.size, code, reason };
}

/**
 * Decides whether a scanned entry goes on: not a problem, no name one file system would merge with an
 * earlier one (batch-wide), and accepted by the policy's file rules, exactly as the signer applies them.
 */
export function admit(entry: ScannedFile | ScanProblem, names: DuplicateNames, rules: Rules): Admission {
  if (entry.kind === 'problem') return { end: problemOutcome(entry) };
  const normalised = normaliseRelativePath(entry.path);
  const duplicate = 'path' in normalised ? names.check(normalised.path) : undefined;
  if (duplicate) return { end: refusedOutcome(entry, 'duplicate-path', duplicate) };
  const type = contentTypeOf(entry.path);
  const judged = judgeFile({ ...entry, type }, rules.policy.prefix, rules.folder, rules.policy);
  if ('status' in judged) return { end: refusedOutcome(entry, judged.code, judged.message) };
  return { file: { ...entry, type: judged.type }, path: judged.path };
}

/**
 * What a comparison with the destination decides: send the file, end it, fail it (its content could not
 * be read to compare), or (in a plan) name it a conflict.
 */
export type Settled = { send: PendingFile } | { end: FileOutcome } | { fail: UploadError } | { conflict: FileOutcome };

/** The outcome of a file whose key holds different content, when the batch skips or fails on conflicts. */
function conflictOutcome(file: PendingFile, verdict: Extract<Verdict, { kind: 'different' }>, choice: 'skip' | 'fail') {
  const then =
    choice === 'skip'
      ? 'kept it; choose overwrite or rename to send this file'
      : 'not sent: the batch fails on conflicts';
  return {
    path: file.path,
    status: choice === 'skip' ? 'skipped' : 'failed',
    size: file.size,
    key: verdict.key,
    code: 'conflict',
    reason: `${verdict.why}; ${then}`,
  } satisfies FileOutcome;
}

/**
 * Settles a file by what the destination holds at its key: nothing there, it goes; the same content, it
 * is already there; different content, as the batch chose (a plan, which has not chosen yet, names it a
 * conflict). A verdict that could not be reached ends the file with the reason.
 */
export function settle(
  file: PendingFile,
  verdict: Verdict | { error: unknown },
  choice: ConflictChoice | undefined,
): Settled {
  if ('error' in verdict) return { fail: readFailure(verdict.error) };
  if (verdict.kind === 'absent') return { send: file };
  if (verdict.kind === 'same') {
    return {
      end: {
        path: file.path,
        status: 'skipped',
        size: file.size,
        key: verdict.key,
        etag: verdict.etag,
        ...(verdict.md5 ? { md5: verdict.md5.hex } : {}),
        ...(verdict.renamedTo ? { renamedTo: verdict.renamedTo } : {}),
        code: 'already-there',
        reason: verdict.renamedTo
          ? `Already there, renamed when it was sent: \`${verdict.key}\` holds the same content`
          : `Already there: \`${verdict.key}\` holds the same content`,
      },
    };
  }
  if (choice === undefined) {
    return {
      conflict: {
        path: file.path,
        status: 'skipped',
        size: file.size,
        key: verdict.key,
        code: 'conflict',
        reason: verdict.why,
      },
    };
  }
  if (choice === 'skip' || choice === 'fail') return { end: conflictOutcome(file, verdict, choice) };
  // The MD5 read to compare is the one the upload sends.
  return { send: { ...file, ...(verdict.md5 ? { md5: verdict.md5 } : {}), conflict: { choice, key: verdict.key } } };
}
