import type { FileFilter } from '../../shared/ipc';
import type { FilePage, FileRow, FileRowStatus } from '../../shared/desktop';
import type { FileOutcome } from '../../shared/outcome';
import type { ActiveFile } from '../../shared/progress';

interface Row extends FileRow {
  /** The object's key once uploaded: the signer gives its view link on request. */
  key?: string;
  /** The path in lower case, for the name filter. */
  lower: string;
  /** The lower-case path with its numbers zero-padded, so plain comparison puts `f2` before `f10`. */
  order: string;
}

// A collator compares 100,000 paths in ~320 ms, too slow to sort again while a plan adds rows; a key
// compared as plain text takes ~55 ms once, then ~8 ms to merge in each thousand new rows.
const orderOf = (lower: string): string => lower.replace(/\d+/gu, (digits) => digits.padStart(16, '0'));
const byPath = (a: Row, b: Row): number =>
  a.order < b.order ? -1 : a.order > b.order ? 1 : a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** A new row of a file that waits to upload. */
function waitingRow(path: string, size: number): Row {
  const lower = path.toLowerCase();
  return { path, size, status: 'queued', bytesDone: 0, hasLink: false, lower, order: orderOf(lower) };
}

const ENDED = new Set<FileRowStatus>(['uploaded', 'skipped', 'rejected', 'failed']);

/** The filter a status belongs to besides `all` and `active` (uploading and waiting together). */
function bucketOf(status: FileRowStatus): Exclude<FileFilter, 'all' | 'active'> {
  if (status === 'failed') return 'failed';
  if (status === 'rejected') return 'rejected';
  if (status === 'uploaded' || status === 'skipped') return 'done';
  return status === 'queued' ? 'waiting' : 'uploading';
}

/** True when a row with `status` shows under `filter`. */
const shows = (filter: FileFilter, status: FileRowStatus): boolean =>
  filter === 'all' || (filter === 'active' ? !ENDED.has(status) : bucketOf(status) === filter);

/**
 * Every file of one batch in path order, with its current state. Updates and counts cost O(1) per file;
 * rows are sorted when a page is asked for after files were added out of order, and a filtered index
 * is rebuilt only after a file changed filter, so scrolling 100,000 rows is cheap.
 */
export class FileTable {
  readonly #rows: Row[] = [];
  readonly #byPath = new Map<string, Row>();
  #active = new Set<string>();
  readonly #counts = { uploading: 0, waiting: 0, rejected: 0, failed: 0, done: 0 };
  #version = 0;
  readonly #index = new Map<string, { version: number; rows: Row[] }>();
  #sorted = true;

  /** Adds a file that is waiting to upload, or sets an existing one back to waiting; `note` says why it waits. */
  queue(path: string, size: number, note?: string): void {
    const row = this.#byPath.get(path) ?? this.#add(waitingRow(path, size));
    this.#setStatus(row, 'queued');
    Object.assign(row, { size, bytesDone: 0, hasLink: false });
    if (note) row.reason = note;
    else delete row.reason;
    delete row.key;
  }

  /** Records how a file ended, adding it when the scan found it only now. */
  finish(outcome: FileOutcome): void {
    const row = this.#byPath.get(outcome.path) ?? this.#add(waitingRow(outcome.path, 0));
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
  /** The row of `path`, or undefined when the batch has no such file. */
  row(path: string): Readonly<FileRow> | undefined {
    return this.#byPath.get(path);
  }

  key(path: string): string | undefined {
    return this.#byPath.get(path)?.key;
  }

  /** True when the table lists `path`. */
  has(path: string): boolean {
    return this.#byPath.has(path);
  }

  /** One page of rows under `filter` whose path holds `query` (any case), with the count under each filter. */
  page(filter: FileFilter, offset: number, limit: number, query = ''): FilePage {
    if (!this.#sorted) {
      this.#rows.sort(byPath);
      this.#sorted = true;
      this.#version += 1;
    }
    const rows = this.#filtered(filter, query.toLowerCase());
    return {
      total: rows.length,
      counts: { all: this.#rows.length, active: this.#counts.uploading + this.#counts.waiting, ...this.#counts },
      offset,
      rows: rows.slice(offset, offset + limit).map(({ key: _key, lower: _lower, order: _order, ...row }) => row),
    };
  }

  #filtered(filter: FileFilter, query: string): Row[] {
    if (filter === 'all' && !query) return this.#rows;
    const id = `${filter}\0${query}`;
    const cached = this.#index.get(id);
    if (cached?.version === this.#version) return cached.rows;
    const rows = this.#rows.filter((row) => shows(filter, row.status) && (!query || row.lower.includes(query)));
    // Indexes of an older version are stale: keep only the ones of this version.
    for (const [key, index] of this.#index) if (index.version !== this.#version) this.#index.delete(key);
    this.#index.set(id, { version: this.#version, rows });
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
    const last = this.#rows.at(-1);
    this.#sorted &&= !last || byPath(last, row) < 0;
    this.#rows.push(row);
    this.#byPath.set(row.path, row);
    this.#version += 1;
    return row;
  }
}
