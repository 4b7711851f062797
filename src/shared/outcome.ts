/**
 * How one file of a batch ended. Every scanned file ends as exactly one of these: uploaded and verified;
 * skipped (Hoist chose not to send it: already there, ignored, cancelled); rejected (the policy refuses
 * it, before any byte moves: never retried); failed (it should have gone and did not).
 */
export type FileStatus = 'uploaded' | 'skipped' | 'rejected' | 'failed';

/** Every file status, in the order summaries list them. */
export const FILE_STATUSES: readonly FileStatus[] = ['uploaded', 'skipped', 'rejected', 'failed'];

/** Counts of each status at zero. */
export const noCounts = (): Record<FileStatus, number> => ({ uploaded: 0, skipped: 0, rejected: 0, failed: 0 });

/**
 * Codes of refusals by the signer's policy, decided before any byte moves: a path or name the rules
 * refuse, two names one file system would merge, a type or size not allowed, a destination not
 * allowed, a quota spent, a replace the policy forbids. Sending again cannot help: they are rejected.
 */
const REFUSAL_CODES = new Set([
  'invalid-path',
  'duplicate-path',
  'too-large',
  'invalid-type',
  'type-not-allowed',
  'invalid-destination',
  'destination-not-allowed',
  'destination-required',
  'quota-exceeded',
  'overwrite-not-allowed',
]);

/** True when `code` is a refusal by the policy (the file is rejected, not failed). */
export function isRefusal(code: string | undefined): boolean {
  return code !== undefined && REFUSAL_CODES.has(code);
}

/** The final record of one file, as the report lists it. */
export interface FileOutcome {
  path: string;
  status: FileStatus;
  size: number;
  key?: string;
  /** Hex MD5 of the source bytes that were uploaded. */
  md5?: string;
  /** The ETag S3 returned, checked against `md5`. */
  etag?: string;
  viewUrl?: string;
  /** Where a file went under another name (`--on-conflict rename`): its path inside the destination, `a (1).jpg`. */
  renamedTo?: string;
  /** Times S3 received this file's bytes damaged on the way (BadDigest, the file unchanged) and they were sent again. */
  damagedInTransit?: number;
  /** Machine-readable reason for skipped and failed files. */
  code?: string;
  /** A sentence a person can act on, for skipped and failed files. */
  reason?: string;
}

/** One version of a file: its size and when it was last written (ms since 1970), when known. */
export interface FileVersion {
  size: number;
  modified?: number;
}

/** A file whose key holds different content: the outcome it would have, and both versions. */
export interface ConflictingFile extends FileOutcome {
  /** The file on this machine. */
  here: FileVersion;
  /** What the destination holds at its key. */
  there: FileVersion;
}

/** What a batch's report holds. */
export interface BatchReport {
  batchId: string;
  root: string;
  /** The folder inside the caller's prefix the batch went to; its own batch folder when absent. */
  destination?: string;
  startedAt: string;
  endedAt: string;
  counts: Record<FileStatus, number>;
  bytesUploaded: number;
  /** Every file's outcome; a batch's report reads them from its journal on each pass, so go through them once. */
  files: Iterable<FileOutcome>;
}
