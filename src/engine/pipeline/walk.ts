import { type Dirent, opendirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { FilterRules } from './filter-rules';
import type { ScanEntry, ScanOptions, ScanProblem } from './scan-entries';

// The walk calls the file system synchronously, one call after another: it runs on a thread of its own
// (scan-worker.ts), where a blocking call blocks nothing else, and a synchronous stat costs a fraction of
// an asynchronous one's round trip through libuv's pool.

const errnoOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

const unreadable = (path: string, error: unknown): ScanProblem => ({
  kind: 'problem',
  path,
  code: 'unreadable',
  reason: `Cannot read: ${errnoOf(error)}`,
});

const notAFile = (path: string): ScanProblem => ({
  kind: 'problem',
  path,
  code: 'not-a-file',
  reason: 'Not a regular file (socket, device or pipe)',
});

/** True when `path` is `root` or inside it (both real paths). */
const isInside = (path: string, root: string): boolean =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/**
 * Walks the folder `root` depth-first, one directory handle open at a time per level, under the batch's
 * `ignore` rules and each folder's `.hoistignore`. Follows symlinks that stay inside the folder (all of
 * them with `followSymlinks`), never into a folder already being walked (a loop); yields every file and
 * every problem exactly once, in the order each folder lists them.
 */
export function* walkFolder(root: string, ignore: readonly string[], options: ScanOptions): Generator<ScanEntry> {
  const walk = new Walk(root, realpathSync.native(root), options);
  const rules = FilterRules.of(ignore).within(root, '');
  if (!options.only) yield* walk.folder(root, '', rules);
  else for (const path of options.only) yield* walk.chosen(path, rules);
}

/** One walk under a root: the folders being walked (to tell a loop) and how to treat symlinks. */
class Walk {
  readonly #walking = new Set<string>();

  constructor(
    readonly root: string,
    /** The root with every symlink resolved, to tell where a symlink leads. */
    readonly realRoot: string,
    readonly options: ScanOptions,
  ) {}

  /** Every file and problem in the folder `dir` (at `path` from the root, `''` for it) and below, under `rules`. */
  *folder(dir: string, path: string, rules: FilterRules): Generator<ScanEntry> {
    let real, handle;
    try {
      real = realpathSync.native(dir);
      handle = opendirSync(dir, { bufferSize: 256 });
    } catch (error) {
      yield { kind: 'problem', path, code: 'unreadable', reason: `Cannot read folder: ${errnoOf(error)}` };
      return;
    }
    this.#walking.add(real);
    const within = path ? `${path}/` : '';
    try {
      for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
        const absolutePath = dir + sep + entry.name;
        if (entry.isFile()) yield this.#file(absolutePath, entry.name, within + entry.name, undefined, rules);
        else yield* this.#entry(absolutePath, within + entry.name, entry, rules);
      }
    } finally {
      handle.closeSync();
      this.#walking.delete(real);
    }
  }

  /**
   * One entry other than a plain file: a symlink or an odd entry is stat'ed to learn what it is; folders are not. A symlink
   * that leads outside the folder is not followed unless the options say so: a folder someone else made
   * (an archive, a shared drive) must not send `holiday.png -> ~/.ssh/id_rsa`.
   */
  *#entry(absolutePath: string, path: string, entry: Dirent, rules: FilterRules): Generator<ScanEntry> {
    let info;
    try {
      if (entry.isSymbolicLink() && !this.options.followSymlinks) {
        const target = realpathSync.native(absolutePath);
        if (!isInside(target, this.realRoot)) {
          const reason = `Symlink to ${target}, outside the folder being uploaded; not followed (following symlinks that lead outside is off)`;
          yield { kind: 'problem', path, code: 'symlink-outside', reason };
          return;
        }
      }
      info = entry.isDirectory() ? undefined : statSync(absolutePath);
    } catch (error) {
      yield unreadable(path, error);
      return;
    }
    if (info ? info.isDirectory() : entry.isDirectory()) yield* this.#subfolder(absolutePath, entry.name, path, rules);
    else if (info?.isFile()) yield this.#file(absolutePath, entry.name, path, info, rules);
    else yield notAFile(path);
  }

  /** The entry at `path` from the root, chosen by name: a folder with all it holds, or a file. */
  *chosen(path: string, rules: FilterRules): Generator<ScanEntry> {
    const absolutePath = join(this.root, ...path.split('/'));
    const name = path.slice(path.lastIndexOf('/') + 1);
    let info;
    try {
      info = statSync(absolutePath);
    } catch (error) {
      yield unreadable(path, error);
      return;
    }
    if (info.isDirectory()) yield* this.#subfolder(absolutePath, name, path, rules);
    else if (info.isFile()) yield this.#file(absolutePath, name, path, info, rules);
    else yield notAFile(path);
  }

  *#subfolder(absolutePath: string, name: string, path: string, rules: FilterRules): Generator<ScanEntry> {
    const reason = rules.folder(name, path);
    if (reason) {
      yield { kind: 'problem', path: `${path}/`, code: 'ignored', reason };
      return;
    }
    let target = absolutePath;
    try {
      target = realpathSync.native(absolutePath);
    } catch {
      // An unreadable target is reported by the walk of the folder itself.
    }
    if (this.#walking.has(target)) {
      const reason = 'Symlink points back into a folder being uploaded; not followed';
      yield { kind: 'problem', path, code: 'symlink-loop', reason };
      return;
    }
    yield* this.folder(absolutePath, path, rules.within(absolutePath, path));
  }

  #file(absolutePath: string, name: string, path: string, info: Stats | undefined, rules: FilterRules): ScanEntry {
    const reason = rules.file(name, path);
    if (reason) return { kind: 'problem', path, code: 'ignored', reason };
    try {
      const { size, mtimeMs } = info ?? statSync(absolutePath);
      return { kind: 'file', path, absolutePath, size, mtimeMs };
    } catch (error) {
      return unreadable(path, error);
    }
  }
}
