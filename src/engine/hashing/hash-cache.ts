import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../private-files';

/** Digests remembered at most by default; past twice this many lines the file is rewritten with the newest. */
const MAX_ENTRIES = 200_000;

/**
 * What proves a file unchanged since it was hashed: its device and inode, its size, and its modification
 * and change times in nanoseconds. A file written with its modification time put back (`touch -d`)
 * still moves its change time, so it is never taken for the old one.
 */
export async function fileIdentity(absolutePath: string): Promise<string> {
  const info = await stat(absolutePath, { bigint: true });
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/**
 * Digests of files already hashed, keyed by their identity and by what was hashed (`md5` for the whole
 * file, `etag:<part size>` for a multipart ETag), so an unchanged file is never read twice across runs.
 * Private (0600), bounded, safe to delete; an entry is trusted only while every identity field matches.
 * A file that cannot be read or written makes it an empty cache, never an error.
 */
export class HashCache {
  readonly #file: string;
  readonly #max: number;
  #entries: Map<string, string> | undefined;

  constructor(file: string, options: { maxEntries?: number } = {}) {
    this.#file = file;
    this.#max = options.maxEntries ?? MAX_ENTRIES;
  }

  /** The digest of `what` for the file whose identity is `identity`, if hashed before. */
  get(identity: string, what: string): string | undefined {
    return this.#load().get(`${identity}|${what}`);
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
    const entries = this.#load();
    const key = `${identity}|${what}`;
    if (entries.get(key) === digest) return;
    entries.delete(key);
    entries.set(key, digest);
    if (entries.size > this.#max) entries.delete(entries.keys().next().value!);
    try {
      makePrivateDir(dirname(this.#file));
      appendFileSync(this.#file, `${JSON.stringify([key, digest])}\n`, { mode: PRIVATE_FILE_MODE });
    } catch {
      // A cache that cannot be written only costs a hash next time.
    }
  }

  #load(): Map<string, string> {
    if (this.#entries) return this.#entries;
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
    while (entries.size > this.#max) entries.delete(entries.keys().next().value!);
    if (lines.length > 2 * this.#max) this.#rewrite(entries);
    this.#entries = entries;
    return entries;
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
