import { IGNORE_FILE } from './filter-rules';

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

/** What a scan yields: each file, and each entry it will not send, once. */
export type ScanEntry = ScannedFile | ScanProblem;

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
