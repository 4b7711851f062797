import type { FileFilter } from '../../shared/ipc';
import type { FilePage, FileRow, FileRowStatus } from '../../shared/desktop';
import type { FileOutcome } from '../../shared/outcome';
import type { ActiveFile } from '../../shared/progress';

interface Row extends FileRow {
  /** The object's key once uploaded: the signer gives its view link on request. */
  key?: string;
}

const ENDED = new Set<FileRowStatus>(['uploaded', 'skipped', 'failed']);

/** The filter a status belongs to besides `all`. */
function bucketOf(status: FileRowStatus): Exclude<FileFilter, 'all'> {
  if (status === 'failed') return 'failed';
  if (status === 'uploaded' || status === 'skipped') return 'done';
  return 'active';
}

/**
 * Every file of one batch in scan order, with its current state. Updates and counts cost O(1) per file; a
 * filtered index is rebuilt only after a file changed filter, so scrolling 100,000 rows is cheap.
 */
export class FileTable {
  readonly #rows: Row[] = [];
  readonly #byPath = new Map<string, Row>();
  #active = new Set<string>();
  readonly #counts = { active: 0, failed: 0, done: 0 };
  #version = 0;
  readonly #index = new Map<FileFilter, { version: number; rows: Row[] }>();

  /** Adds a file that is waiting to upload, or sets an existing one back to waiting. */
  queue(path: string, size: number): void {
    const row = this.#byPath.get(path);
    if (row) {
      this.#setStatus(row, 'queued');
      Object.assign(row, { size, bytesDone: 0, hasLink: false });
      delete row.reason;
      delete row.key;
    } else {
      this.#add({ path, size, status: 'queued', bytesDone: 0, hasLink: false });
    }
  }

  /** Records how a file ended, adding it when the scan found it only now. */
  finish(outcome: FileOutcome): void {
    const row =
      this.#byPath.get(outcome.path) ??
      this.#add({ path: outcome.path, size: 0, status: 'queued', bytesDone: 0, hasLink: false });
    this.#setStatus(row, outcome.status);
    row.size = outcome.size;
    row.bytesDone = outcome.status === 'uploaded' ? outcome.size : 0;
    row.hasLink = outcome.status === 'uploaded' && Boolean(outcome.key);
    if (row.hasLink) row.key = outcome.key;
    else delete row.key;
    if (outcome.reason) row.reason = outcome.reason;
    else delete row.reason;
    this.#active.delete(outcome.path);
  }

  /** Applies the engine's list of files in flight: their bytes, and paused or uploading. */
  setActive(active: readonly ActiveFile[]): void {
    const now = new Set<string>();
    for (const file of active) {
      const row = this.#byPath.get(file.path);
      if (!row || ENDED.has(row.status)) continue;
      now.add(file.path);
      this.#setStatus(row, file.paused ? 'paused' : 'uploading');
      row.bytesDone = file.bytesDone;
    }
    for (const path of this.#active) {
      const row = this.#byPath.get(path);
      if (!now.has(path) && row && !ENDED.has(row.status)) this.#setStatus(row, 'queued');
    }
    this.#active = now;
  }

  /** Marks a waiting file as paused by the person (it has no transfer in flight yet). */
  setPaused(path: string, paused: boolean): void {
    const row = this.#byPath.get(path);
    if (!row || ENDED.has(row.status)) return;
    this.#setStatus(row, paused ? 'paused' : this.#active.has(path) ? 'uploading' : 'queued');
  }

  /** The failed files. */
  failed(): { path: string; size: number }[] {
    return this.#rows.filter((row) => row.status === 'failed').map(({ path, size }) => ({ path, size }));
  }

  /** The key of an uploaded file, or undefined when it has none (not uploaded, or not listed). */
  key(path: string): string | undefined {
    return this.#byPath.get(path)?.key;
  }

  /** True when the table lists `path`. */
  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** One page of rows under `filter`, with the count under each filter. */
  page(filter: FileFilter, offset: number, limit: number): FilePage {
    const rows = this.#filtered(filter);
    return {
      total: rows.length,
      counts: { all: this.#rows.length, ...this.#counts },
      offset,
      rows: rows.slice(offset, offset + limit).map(({ key: _key, ...row }) => row),
    };
  }

  #filtered(filter: FileFilter): Row[] {
    if (filter === 'all') return this.#rows;
    const cached = this.#index.get(filter);
    if (cached?.version === this.#version) return cached.rows;
    const rows = this.#rows.filter((row) => bucketOf(row.status) === filter);
    this.#index.set(filter, { version: this.#version, rows });
    return rows;
  }

  #setStatus(row: Row, status: FileRowStatus): void {
    if (row.status === status) return;
    this.#counts[bucketOf(row.status)] -= 1;
    this.#counts[bucketOf(status)] += 1;
    row.status = status;
    this.#version += 1;
  }

  #add(row: Row): Row {
    this.#counts[bucketOf(row.status)] += 1;
    this.#rows.push(row);
    this.#byPath.set(row.path, row);
    this.#version += 1;
    return row;
  }
}
