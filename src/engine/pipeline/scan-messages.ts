import type { ScanEntry, ScanOptions } from './scan-entries';

/** What the scan thread is asked: walk a folder, or send one more chunk of what it found. */
export type ToScanWorker = { t: 'scan'; root: string; ignore: readonly string[]; options: ScanOptions } | { t: 'more' };

/** What the scan thread answers: a chunk of entries in walk order, the walk's end, or why it stopped. */
export type FromScanWorker =
  { t: 'entries'; entries: ScanEntry[] } | { t: 'end' } | { t: 'error'; message: string; code?: string };

/** Chunks the thread sends ahead of what the scan's reader has taken. */
export const CHUNKS_AHEAD = 4;
