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
  files: { total: number; uploaded: number; skipped: number; failed: number; active: number };
  bytes: { total: number; done: number };
  /** Bytes per second over the last few seconds. */
  throughput: number;
  /** Seconds left at the current throughput, or null when unknown. */
  etaSeconds: number | null;
  active: ActiveFile[];
  /** True once every file has been scanned, so `files.total` is final. */
  scanComplete: boolean;
}

/** Seconds left for `remaining` bytes at `throughput` bytes/s, or null when nothing moves. */
export function estimateSeconds(remaining: number, throughput: number): number | null {
  if (remaining <= 0) return 0;
  return throughput > 0 ? Math.ceil(remaining / throughput) : null;
}

/** `1.5 MB`-style text for a byte count (SI units). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
