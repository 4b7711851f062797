import { opendir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import picomatch from 'picomatch';

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
  code: 'unreadable' | 'symlink-loop' | 'not-a-file' | 'ignored';
  reason: string;
}

/**
 * How a problem ends in the report: skipped when Hoist chose not to send the entry (an ignore rule, a
 * symlink loop, a socket or device), failed when the person's content could not be read.
 */
export function problemStatus(problem: ScanProblem): 'skipped' | 'failed' {
  return problem.code === 'unreadable' ? 'failed' : 'skipped';
}

/** Ignore patterns applied when a batch names none: macOS and Windows litter and git folders. */
export const DEFAULT_IGNORE = ['.DS_Store', 'Thumbs.db', '.git/'] as const;

/** Builds a matcher from patterns: `name/` matches folders, anything else files; globs allowed. */
function ignoreMatcher(patterns: readonly string[]): {
  dir(name: string, path: string): boolean;
  file(name: string, path: string): boolean;
} {
  const dirs = patterns.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1));
  const files = patterns.filter((p) => !p.endsWith('/'));
  const options = { dot: true };
  const dirMatch = dirs.length ? picomatch(dirs, options) : () => false;
  const fileMatch = files.length ? picomatch(files, options) : () => false;
  return {
    dir: (name, path) => dirMatch(name) || dirMatch(path),
    file: (name, path) => fileMatch(name) || fileMatch(path),
  };
}

const unreadable = (path: string, error: unknown): ScanProblem => ({
  kind: 'problem',
  path,
  code: 'unreadable',
  reason: `Cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
});

const toPosix = (path: string): string => (sep === '/' ? path : path.split(sep).join('/'));

/**
 * Walks `root` depth-first as a stream, one directory handle open at a time per level. Follows symlinks,
 * never into a folder already being walked (a loop); yields every file and every problem exactly once.
 */
export async function* scanFolder(
  root: string,
  ignore: readonly string[] = DEFAULT_IGNORE,
): AsyncGenerator<ScannedFile | ScanProblem> {
  const matcher = ignoreMatcher(ignore);
  const rootInfo = await stat(root);
  if (!rootInfo.isDirectory()) {
    yield {
      kind: 'file',
      path: root.split(sep).pop() ?? root,
      absolutePath: root,
      size: rootInfo.size,
      mtimeMs: rootInfo.mtimeMs,
    };
    return;
  }
  const walking = new Set<string>();
  async function* walk(dir: string): AsyncGenerator<ScannedFile | ScanProblem> {
    const real = await realpath(dir);
    walking.add(real);
    let handle;
    try {
      handle = await opendir(dir, { bufferSize: 64 });
    } catch (error) {
      yield {
        kind: 'problem',
        path: toPosix(relative(root, dir)),
        code: 'unreadable',
        reason: `Cannot read folder: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      };
      walking.delete(real);
      return;
    }
    for await (const entry of handle) {
      const absolutePath = join(dir, entry.name);
      const path = toPosix(relative(root, absolutePath));
      let info;
      try {
        info = entry.isSymbolicLink()
          ? await stat(absolutePath)
          : entry.isDirectory() || entry.isFile()
            ? undefined
            : await stat(absolutePath);
      } catch (error) {
        yield unreadable(path, error);
        continue;
      }
      const isDir = info ? info.isDirectory() : entry.isDirectory();
      const isFile = info ? info.isFile() : entry.isFile();
      if (isDir) {
        if (matcher.dir(entry.name, path)) {
          yield {
            kind: 'problem',
            path: `${path}/`,
            code: 'ignored',
            reason: 'Folder matches an ignore rule; nothing in it was uploaded',
          };
          continue;
        }
        const target = await realpath(absolutePath).catch(() => absolutePath);
        if (walking.has(target)) {
          yield {
            kind: 'problem',
            path,
            code: 'symlink-loop',
            reason: 'Symlink points back into a folder being uploaded; not followed',
          };
          continue;
        }
        yield* walk(absolutePath);
      } else if (isFile) {
        if (matcher.file(entry.name, path)) {
          yield { kind: 'problem', path, code: 'ignored', reason: 'Matches an ignore rule' };
          continue;
        }
        try {
          const fileInfo = info ?? (await stat(absolutePath));
          yield { kind: 'file', path, absolutePath, size: fileInfo.size, mtimeMs: fileInfo.mtimeMs };
        } catch (error) {
          yield unreadable(path, error);
        }
      } else {
        yield { kind: 'problem', path, code: 'not-a-file', reason: 'Not a regular file (socket, device or pipe)' };
      }
    }
    walking.delete(real);
  }
  yield* walk(root);
}
