import type { FolderCount } from './folder-count';
import type { ScanEntry, ScanOptions } from './scan-entries';

/**
 * What the scan thread is asked: walk a folder, or send one more chunk of what it found; count a folder
 * (`id` names the count), or stop counting with what it has.
 */
export type ToScanWorker =
  | { t: 'scan'; root: string; ignore: readonly string[]; options: ScanOptions }
  | { t: 'more' }
  | { t: 'count'; id: number; root: string; ignore: readonly string[]; only?: readonly string[] }
  | { t: 'stop-count'; id: number };

/**
 * What the scan thread answers: a chunk of entries in walk order, the walk's end, or why it stopped; a
 * count's totals, or why it failed.
 */
export type FromScanWorker =
  | { t: 'entries'; entries: ScanEntry[] }
  | { t: 'end' }
  | { t: 'error'; message: string; code?: string }
  | ({ t: 'counted'; id: number } & FolderCount)
  | { t: 'count-failed'; id: number; message: string };

/** Chunks the thread sends ahead of what the scan's reader has taken. */
export const CHUNKS_AHEAD = 4;
