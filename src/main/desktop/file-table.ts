import type { FileFilter } from '../../shared/ipc';
import type { FilePage, FileRow, FileRowStatus } from '../../shared/desktop';
import type { FileOutcome } from '../../shared/outcome';
import type { ActiveFile } from '../../shared/progress';

interface Row extends FileRow {
  viewUrl?: string;
}

const ENDED = new Set<FileRowStatus>(['uploaded', 'skipped', 'failed']);

function matches(filter: FileFilter, status: FileRowStatus): boolean {
  if (filter === 'all') return true;
  if (filter === 'failed') return status === 'failed';
  if (filter === 'done') return status === 'uploaded' || status === 'skipped';
  return !ENDED.has(status);
}

/**
 * Every file of one batch in scan order, with its current state. Updates cost O(1) per file; a filtered
 * page is built from an index that is rebuilt only after rows changed, so scrolling 100,000 rows is cheap.
 */
export class FileTable {
  readonly #rows: Row[] = [];
  readonly #byPath = new Map<string, Row>();
  #active = new Set<string>();
  #version = 0;
  readonly #index = new Map<FileFilter, { version: number; rows: Row[] }>();

  /** Adds a file that is waiting to upload, or sets an existing one back to waiting. */
  queue(path: string, size: number): void {
    const row = this.#byPath.get(path);
    if (row) {
      Object.assign(row, { status: 'queued', size, bytesDone: 0, hasLink: false });
      delete row.reason;
      delete row.viewUrl;
    } else {
      this.#add({ path, size, status: 'queued', bytesDone: 0, hasLink: false });
    }
    this.#version += 1;
  }

  /** Records how a file ended, adding it when the scan found it only now. */
  finish(outcome: FileOutcome): void {
    const row = this.#byPath.get(outcome.path) ?? this.#add({ path: outcome.path, size: 0, bytesDone: 0 } as Row);
    row.status = outcome.status;
    row.size = outcome.size;
    row.bytesDone = outcome.status === 'uploaded' ? outcome.size : 0;
    row.hasLink = Boolean(outcome.viewUrl);
    if (outcome.viewUrl) row.viewUrl = outcome.viewUrl;
    if (outcome.reason) row.reason = outcome.reason;
    else delete row.reason;
    this.#active.delete(outcome.path);
    this.#version += 1;
  }

  /** Applies the engine's list of files in flight: their bytes, and paused or uploading. */
  setActive(active: readonly ActiveFile[]): void {
    const now = new Set<string>();
    for (const file of active) {
      const row = this.#byPath.get(file.path);
      if (!row || ENDED.has(row.status)) continue;
      now.add(file.path);
      row.status = file.paused ? 'paused' : 'uploading';
      row.bytesDone = file.bytesDone;
    }
    for (const path of this.#active) {
      const row = this.#byPath.get(path);
      if (!now.has(path) && row && !ENDED.has(row.status)) row.status = 'queued';
    }
    this.#active = now;
    this.#version += 1;
  }

  /** Marks a waiting file as paused by the person (it has no transfer in flight yet). */
  setPaused(path: string, paused: boolean): void {
    const row = this.#byPath.get(path);
    if (!row || ENDED.has(row.status)) return;
    row.status = paused ? 'paused' : this.#active.has(path) ? 'uploading' : 'queued';
    this.#version += 1;
  }

  /** The failed files. */
  failed(): { path: string; size: number }[] {
    return this.#rows.filter((row) => row.status === 'failed').map(({ path, size }) => ({ path, size }));
  }

  /** The view link of an uploaded file. */
  viewUrl(path: string): string | undefined {
    return this.#byPath.get(path)?.viewUrl;
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
      counts: {
        all: this.#rows.length,
        active: this.#filtered('active').length,
        failed: this.#filtered('failed').length,
        done: this.#filtered('done').length,
      },
      offset,
      rows: rows.slice(offset, offset + limit).map(({ viewUrl: _viewUrl, ...row }) => row),
    };
  }

  #filtered(filter: FileFilter): Row[] {
    if (filter === 'all') return this.#rows;
    const cached = this.#index.get(filter);
    if (cached?.version === this.#version) return cached.rows;
    const rows = this.#rows.filter((row) => matches(filter, row.status));
    this.#index.set(filter, { version: this.#version, rows });
    return rows;
  }

  #add(row: Row): Row {
    this.#rows.push(row);
    this.#byPath.set(row.path, row);
    return row;
  }
}
