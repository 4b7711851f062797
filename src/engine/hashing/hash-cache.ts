import { closeSync, fchmodSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../private-files';
import { fileIdentity } from './file-identity';

/** Digests remembered at most by default; past twice this many lines the file is rewritten with the newest. */
const MAX_ENTRIES = 200_000;
/**
 * Entries a run adds that stay in memory at most, beside those read from the file: enough for a digest to be
 * found again while its batch goes on (the destination check hashes a file, then its upload needs the MD5).
 */
const RECENT_ENTRIES = 10_000;
/** Entries written at once at most; fewer go at the next turn of the event loop. */
const LINES_PER_WRITE = 512;
/** How far past its bound the map may grow before its oldest entries go, all at once. */
const SLACK = 1.25;

/**
 * A map of the newest `max` entries of `entries`, in their order. Built anew, it holds no slots of deleted
 * entries: taking the oldest key of a map one deletion at a time walks every slot deleted before it, which
 * made a 1,000,000-file push spend ~40 s of its main thread there.
 */
function newest(entries: Map<string, string>, max: number): Map<string, string> {
  const kept = new Map<string, string>();
  let skip = entries.size - max;
  for (const [key, digest] of entries) if (skip-- <= 0) kept.set(key, digest);
  return kept;
}

/**
 * Digests of files already hashed, keyed by their identity and by what was hashed (`md5` for the whole
 * file, `etag:<part size>` for a multipart ETag), so an unchanged file is never read twice across runs.
 * Private (0600), bounded, safe to delete; an entry is trusted only while every identity field matches.
 * A file that cannot be read or written makes it an empty cache, never an error. New entries reach the file
 * together, at the next turn of the event loop or by `close()`: one write per entry was ~1 s of a
 * 100,000-file push's main thread. An entry a killed process did not write costs only a hash next time.
 * In memory it holds what the file held when first read, and the newest entries added since: keeping all
 * of a 1,000,000-file push's entries (200,000 at a time) took ~180 MB of its peak RSS. Those it let go are
 * read back from the file by `refresh()`, which a new batch calls.
 */
export class HashCache {
  readonly #file: string;
  readonly #max: number;
  readonly #maxRecent: number;
  /** What the file held when read, its newest `#max` entries. */
  #read: Map<string, string> | undefined;
  /** Entries added since, the newest `#maxRecent`. */
  #recent = new Map<string, string>();
  /** Whether entries added since the file was read have left memory (so the file knows more). */
  #letGo = false;
  #fd: number | undefined;
  #unwritten: string[] = [];
  #writeScheduled = false;

  constructor(file: string, options: { maxEntries?: number; recentEntries?: number } = {}) {
    this.#file = file;
    this.#max = options.maxEntries ?? MAX_ENTRIES;
    this.#maxRecent = Math.min(this.#max, options.recentEntries ?? RECENT_ENTRIES);
  }

  /** The digest of `what` for the file whose identity is `identity`, if hashed before. */
  get(identity: string, what: string): string | undefined {
    const key = `${identity}|${what}`;
    return this.#recent.get(key) ?? this.#load().get(key);
  }

  /** Reads the file again at the next lookup when entries this cache added have left memory since it was read. */
  refresh(): void {
    if (!this.#letGo) return;
    this.#write();
    this.#read = undefined;
    this.#recent = new Map();
    this.#letGo = false;
  }

  /**
   * The digest of `what` for the file at `absolutePath`: from the cache while its identity is the one it
   * was hashed with, else `compute`d and kept when the file did not change while it was read.
   */
  async digest(absolutePath: string, what: string, compute: () => Promise<string>): Promise<string> {
    const before = await fileIdentity(absolutePath).catch(() => undefined);
    const known = before && this.get(before, what);
    if (known) return known;
    const digest = await compute();
    const after = await fileIdentity(absolutePath).catch(() => undefined);
    if (before && after === before) this.set(before, what, digest);
    return digest;
  }

  /** Keeps the digest of `what` for the file of `identity`. */
  set(identity: string, what: string, digest: string): void {
    const key = `${identity}|${what}`;
    if (this.get(identity, what) === digest) return;
    this.#load().delete(key);
    this.#recent.delete(key);
    this.#recent.set(key, digest);
    if (this.#recent.size > this.#maxRecent * SLACK) {
      this.#recent = newest(this.#recent, this.#maxRecent);
      this.#letGo = true;
    }
    this.#unwritten.push(`${JSON.stringify([key, digest])}\n`);
    if (this.#unwritten.length >= LINES_PER_WRITE) this.#write();
    else if (!this.#writeScheduled) {
      this.#writeScheduled = true;
      setImmediate(() => this.#write());
    }
  }

  /** Writes the entries not written yet, then closes the file kept open for appending; a later `set` opens it again. */
  close(): void {
    this.#write();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #write(): void {
    this.#writeScheduled = false;
    if (!this.#unwritten.length) return;
    const text = this.#unwritten.join('');
    this.#unwritten = [];
    try {
      this.#fd ??= this.#openForAppending();
      writeSync(this.#fd, text);
    } catch {
      // A cache that cannot be written only costs a hash next time.
    }
  }

  /** The cache file opened once for every entry a run adds, not opened and closed for each write. */
  #openForAppending(): number {
    makePrivateDir(dirname(this.#file));
    const fd = openSync(this.#file, 'a', PRIVATE_FILE_MODE);
    fchmodSync(fd, PRIVATE_FILE_MODE);
    return fd;
  }

  #load(): Map<string, string> {
    if (this.#read) return this.#read;
    const entries = new Map<string, string>();
    let lines: string[] = [];
    try {
      lines = readFileSync(this.#file, 'utf8').split('\n');
    } catch {
      // No cache yet.
    }
    for (const line of lines) {
      try {
        const [key, digest] = JSON.parse(line) as [string, string];
        if (typeof key === 'string' && typeof digest === 'string') {
          entries.delete(key);
          entries.set(key, digest);
        }
      } catch {
        // A torn last line from a run that stopped mid-write.
      }
    }
    const kept = entries.size > this.#max ? newest(entries, this.#max) : entries;
    if (lines.length > 2 * this.#max) this.#rewrite(kept);
    this.#read = kept;
    return kept;
  }

  #rewrite(entries: Map<string, string>): void {
    try {
      const next = `${this.#file}.${process.pid}.tmp`;
      writeFileSync(next, [...entries].map((entry) => `${JSON.stringify(entry)}\n`).join(''), {
        mode: PRIVATE_FILE_MODE,
      });
      renameSync(next, this.#file);
    } catch {
      // Left as it is: read again next time.
    }
  }
}
