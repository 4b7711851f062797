/** How one file of a batch ended. Every scanned file ends as exactly one of these. */
export type FileStatus = 'uploaded' | 'skipped' | 'failed';

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
  /** Times S3 received this file's bytes damaged on the way (BadDigest, the file unchanged) and they were sent again. */
  damagedInTransit?: number;
  /** Machine-readable reason for skipped and failed files. */
  code?: string;
  /** A sentence a person can act on, for skipped and failed files. */
  reason?: string;
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
  files: FileOutcome[];
}
