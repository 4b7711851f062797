import type { Dirent, Stats } from 'node:fs';
import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FilterRules, IGNORE_FILE } from './filter-rules';

/** A regular file found under the root, with what it was when scanned. */
export interface ScannedFile {
  kind: 'file';
  /** Relative to the root, with `/` separators. */
  path: string;
  absolutePath: string;
  size: number;
  mtimeMs: number;
}

/** An entry that could not be read or is not a regular file; it ends in the report with `reason`. */
export interface ScanProblem {
  kind: 'problem';
  path: string;
  code: 'unreadable' | 'symlink-loop' | 'symlink-outside' | 'not-a-file' | 'ignored';
  reason: string;
}

/**
 * How a problem ends in the report: skipped when Hoist chose not to send the entry (an ignore rule, a
 * symlink loop or one leading outside the folder, a socket or device), failed when the person's
 * content could not be read.
 */
export function problemStatus(problem: ScanProblem): 'skipped' | 'failed' {
  return problem.code === 'unreadable' ? 'failed' : 'skipped';
}

/** Ignore patterns applied unless a batch drops them: macOS and Windows litter, git folders, Hoist's own ignore files. */
export const DEFAULT_IGNORE = ['.DS_Store', 'Thumbs.db', '.git/', IGNORE_FILE] as const;

const errnoOf = (error: unknown): string => (error as NodeJS.ErrnoException).code ?? String(error);

const unreadable = (path: string, error: unknown): ScanProblem => ({
  kind: 'problem',
  path,
  code: 'unreadable',
  reason: `Cannot read: ${errnoOf(error)}`,
});

/** Files of one folder stat'ed at once. */
const STATS_AT_ONCE = 64;

const toPosix = (path: string): string => (sep === '/' ? path : path.split(sep).join('/'));

type Found = ScannedFile | ScanProblem;

/** How a scan treats what it finds, besides its ignore rules. */
export interface ScanOptions {
  /** Follow symlinks whose target is outside the folder too; by default they are skipped. */
  followSymlinks?: boolean;
  /**
   * The entries of the root to walk (paths from it, `/`-separated), for a selection of files and folders
   * that share a parent: only they are scanned, folders with all they hold. The whole root when absent.
   */
  only?: readonly string[];
}

/** True when `path` is `root` or inside it (both real paths). */
const isInside = (path: string, root: string): boolean =>
  path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);

/** One depth-first walk under a root: the folders being walked (to tell a loop) and the ignore rules. */
class Walk {
  readonly #walking = new Set<string>();

  constructor(
    readonly root: string,
    /** The root with every symlink resolved, to tell where a symlink leads. */
    readonly realRoot: string,
    readonly options: ScanOptions,
  ) {}

  /** Every file and problem in `dir` and below, one directory handle open at a time per level, under `rules`. */
  async *folder(dir: string, rules: FilterRules): AsyncGenerator<Found> {
    const real = await realpath(dir);
    this.#walking.add(real);
    try {
      let handle;
      try {
        handle = await opendir(dir, { bufferSize: 64 });
      } catch (error) {
        const path = toPosix(relative(this.root, dir));
        yield { kind: 'problem', path, code: 'unreadable', reason: `Cannot read folder: ${errnoOf(error)}` };
        return;
      }
      // Plain files are stat'ed many at a time (the walk is latency-bound, one stat after another),
      // and yielded in the order the folder listed them; anything else goes one by one.
      const files: Dirent[] = [];
      for await (const entry of handle) {
        if (entry.isFile()) {
          files.push(entry);
          if (files.length >= STATS_AT_ONCE) yield* this.#files(dir, files.splice(0), rules);
          continue;
        }
        yield* this.#files(dir, files.splice(0), rules);
        yield* this.#entry(dir, entry, rules);
      }
      yield* this.#files(dir, files, rules);
    } finally {
      this.#walking.delete(real);
    }
  }

  /** Plain files of `dir`, stat'ed at once, in the order given. */
  async *#files(dir: string, entries: readonly Dirent[], rules: FilterRules): AsyncGenerator<Found> {
    if (!entries.length) return;
    const found = await Promise.all(
      entries.map((entry) => {
        const absolutePath = join(dir, entry.name);
        return this.#file(absolutePath, entry.name, toPosix(relative(this.root, absolutePath)), undefined, rules);
      }),
    );
    yield* found;
  }

  /**
   * One entry: a symlink or an odd entry is stat'ed to learn what it is; folders and files are not. A
   * symlink that leads outside the folder is not followed unless the options say so: a folder someone
   * else made (an archive, a shared drive) must not send `holiday.png -> ~/.ssh/id_rsa`.
   */
  async *#entry(dir: string, entry: Dirent, rules: FilterRules): AsyncGenerator<Found> {
    const absolutePath = join(dir, entry.name);
    const path = toPosix(relative(this.root, absolutePath));
    let info;
    try {
      if (entry.isSymbolicLink() && !this.options.followSymlinks) {
        const target = await realpath(absolutePath);
        if (!isInside(target, this.realRoot)) {
          const reason = `Symlink to ${target}, outside the folder being uploaded; not followed (--follow-symlinks follows it)`;
          yield { kind: 'problem', path, code: 'symlink-outside', reason };
          return;
        }
      }
      info = entry.isDirectory() || entry.isFile() ? undefined : await stat(absolutePath);
    } catch (error) {
      yield unreadable(path, error);
      return;
    }
    if (info ? info.isDirectory() : entry.isDirectory()) yield* this.#subfolder(absolutePath, entry.name, path, rules);
    else if (info ? info.isFile() : entry.isFile()) yield await this.#file(absolutePath, entry.name, path, info, rules);
    else yield { kind: 'problem', path, code: 'not-a-file', reason: 'Not a regular file (socket, device or pipe)' };
  }

  /** The entry at `path` from the root, chosen by name: a folder with all it holds, or a file. */
  async *chosen(path: string, rules: FilterRules): AsyncGenerator<Found> {
    const absolutePath = join(this.root, ...path.split('/'));
    const name = path.slice(path.lastIndexOf('/') + 1);
    let info;
    try {
      info = await stat(absolutePath);
    } catch (error) {
      yield unreadable(path, error);
      return;
    }
    if (info.isDirectory()) yield* this.#subfolder(absolutePath, name, path, rules);
    else if (info.isFile()) yield await this.#file(absolutePath, name, path, info, rules);
    else yield { kind: 'problem', path, code: 'not-a-file', reason: 'Not a regular file (socket, device or pipe)' };
  }

  async *#subfolder(absolutePath: string, name: string, path: string, rules: FilterRules): AsyncGenerator<Found> {
    const reason = rules.folder(name, path);
    if (reason) {
      yield { kind: 'problem', path: `${path}/`, code: 'ignored', reason };
      return;
    }
    const target = await realpath(absolutePath).catch(() => absolutePath);
    if (this.#walking.has(target)) {
      const reason = 'Symlink points back into a folder being uploaded; not followed';
      yield { kind: 'problem', path, code: 'symlink-loop', reason };
      return;
    }
    yield* this.folder(absolutePath, await rules.within(absolutePath, path));
  }

  async #file(
    absolutePath: string,
    name: string,
    path: string,
    info: Stats | undefined,
    rules: FilterRules,
  ): Promise<Found> {
    const reason = rules.file(name, path);
    if (reason) return { kind: 'problem', path, code: 'ignored', reason };
    try {
      const { size, mtimeMs } = info ?? (await stat(absolutePath));
      return { kind: 'file', path, absolutePath, size, mtimeMs };
    } catch (error) {
      return unreadable(path, error);
    }
  }
}

/**
 * Walks `root` depth-first as a stream, one directory handle open at a time per level. Follows symlinks
 * that stay inside the folder (all of them with `followSymlinks`), never into a folder already being
 * walked (a loop); yields every file and every problem exactly once.
 */
export async function* scanFolder(
  root: string,
  ignore: readonly string[] = DEFAULT_IGNORE,
  options: ScanOptions = {},
): AsyncGenerator<Found> {
  const rootInfo = await stat(root);
  if (rootInfo.isDirectory()) {
    const rules = await FilterRules.of(ignore).within(root, '');
    const walk = new Walk(root, await realpath(root), options);
    if (!options.only) yield* walk.folder(root, rules);
    else for (const path of options.only) yield* walk.chosen(path, rules);
    return;
  }
  const path = root.split(sep).pop() ?? root;
  yield { kind: 'file', path, absolutePath: root, size: rootInfo.size, mtimeMs: rootInfo.mtimeMs };
}
