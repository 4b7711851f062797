export { formatBytes } from '@hoist/protocol/sizes';

/** The lifecycle of a batch. */
export type BatchState = 'scanning' | 'uploading' | 'paused' | 'done' | 'cancelled';

/** A file being transferred right now. */
export interface ActiveFile {
  path: string;
  size: number;
  bytesDone: number;
  paused: boolean;
}

/** A throttled view of one batch's progress: cheap to build and to send whatever the file count. */
export interface BatchProgress {
  batchId: string;
  root: string;
  state: BatchState;
  files: { total: number; uploaded: number; skipped: number; rejected: number; failed: number; active: number };
  bytes: { total: number; done: number };
  /** Bytes per second over the last few seconds. */
  throughput: number;
  /** Files that ended per second over the last few seconds: what counts with many small files. */
  filesPerSecond: number;
  /** Seconds left at the current throughput, or null when unknown. */
  etaSeconds: number | null;
  active: ActiveFile[];
  /** True once every file has been scanned, so `files.total` is final. */
  scanComplete: boolean;
  /** True once the totals stand for the whole folder: the scan is complete, or a count of it arrived. */
  totalsKnown: boolean;
  /** Connections the engine allows now, shared by every batch: pinned, or the level it found. */
  connections: number;
}

/** Progress across every batch that is running or paused. */
export interface OverallProgress {
  batches: number;
  files: { total: number; finished: number; failed: number };
  bytes: { total: number; done: number };
  throughput: number;
  filesPerSecond: number;
  etaSeconds: number | null;
  /** Connections the engine allows now. */
  connections: number;
}

/**
 * Sums batch snapshots into one overall figure; finished and cancelled batches are left out. The ETA is
 * known once every batch's size is. `connections` is the engine's, else the batches' own figure.
 */
export function combineProgress(batches: readonly BatchProgress[], connections?: number): OverallProgress {
  const overall: OverallProgress = {
    batches: 0,
    files: { total: 0, finished: 0, failed: 0 },
    bytes: { total: 0, done: 0 },
    throughput: 0,
    filesPerSecond: 0,
    etaSeconds: null,
    connections: connections ?? batches.reduce((most, batch) => Math.max(most, batch.connections), 0),
  };
  let sizeKnown = true;
  for (const batch of batches) {
    if (batch.state === 'done' || batch.state === 'cancelled') continue;
    overall.batches += 1;
    overall.files.total += batch.files.total;
    overall.files.finished += batch.files.uploaded + batch.files.skipped + batch.files.rejected + batch.files.failed;
    overall.files.failed += batch.files.failed;
    overall.bytes.total += batch.bytes.total;
    overall.bytes.done += batch.bytes.done;
    overall.throughput += batch.throughput;
    overall.filesPerSecond += batch.filesPerSecond;
    sizeKnown &&= batch.totalsKnown;
  }
  if (overall.batches && sizeKnown)
    overall.etaSeconds = estimateSeconds(overall.bytes.total - overall.bytes.done, overall.throughput);
  return overall;
}

/** Seconds left for `remaining` bytes at `throughput` bytes/s, or null when nothing moves. */
export function estimateSeconds(remaining: number, throughput: number): number | null {
  if (remaining <= 0) return 0;
  return throughput > 0 ? Math.ceil(remaining / throughput) : null;
}
