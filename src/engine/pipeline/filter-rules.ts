import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';

/** The file whose lines, with gitignore's rules, say what in its folder and below is not to be sent. */
export const IGNORE_FILE = '.hoistignore';

/** How `--include PATTERN` is written among a batch's rules: `+ PATTERN`, as rclone's filter rules write it. */
export const includeRule = (pattern: string): string => `+ ${pattern}`;

/** The rules of one `.hoistignore`, for paths inside `base` (`''` at the root, else `photos/raw/`). */
interface IgnoreFile {
  base: string;
  rules: Ignore;
}

/** Tells whether a folder or a file, by its name or its path from the root, matches. */
interface Matcher {
  dir(name: string, path: string): boolean;
  file(name: string, path: string): boolean;
}

/** Globs of folder (`name/`) and file patterns as one matcher. */
function globs(patterns: readonly string[]): Matcher {
  const dirs = patterns.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1));
  const files = patterns.filter((p) => !p.endsWith('/'));
  const dirMatch = dirs.length ? picomatch(dirs, { dot: true }) : () => false;
  const fileMatch = files.length ? picomatch(files, { dot: true }) : () => false;
  return {
    dir: (name, path) => dirMatch(name) || dirMatch(path),
    file: (name, path) => fileMatch(name) || fileMatch(path),
  };
}
/**
 * What a batch leaves out, and why. Its rules are patterns (`*.html`, `drafts/`: excluded) and, written
 * `+ PATTERN`, includes (when there are any, only files they match are sent, or files in folders they
 * match); on top, each folder's `.hoistignore`, with gitignore's rules, for that folder and below. An
 * exclude always wins; a deeper `.hoistignore` overrides a shallower one (`!keep.jpg`).
 */
export class FilterRules {
  readonly #excluded: Matcher;
  readonly #included: Matcher | undefined;
  readonly #files: readonly IgnoreFile[];

  private constructor(excluded: Matcher, included: Matcher | undefined, files: readonly IgnoreFile[]) {
    this.#excluded = excluded;
    this.#included = included;
    this.#files = files;
  }

  /** The rules of a batch: exclude patterns and `+ PATTERN` includes, before any `.hoistignore` is read. */
  static of(rules: readonly string[]): FilterRules {
    const includes = rules.filter((r) => r.startsWith('+ ')).map((r) => r.slice(2));
    const excludes = rules.filter((r) => !r.startsWith('+ '));
    return new FilterRules(globs(excludes), includes.length ? globs(includes) : undefined, []);
  }

  /**
   * These rules with the `.hoistignore` of the folder at `absolutePath` (`path` from the root, `''` for
   * it) added, if it has one it can read. Reads it synchronously: the walks that ask run on the scan thread.
   */
  within(absolutePath: string, path: string): FilterRules {
    let text;
    try {
      text = readFileSync(join(absolutePath, IGNORE_FILE), 'utf8');
    } catch {
      return this;
    }
    return this.with(path, text);
  }

  /** These rules with `text`, the `.hoistignore` of the folder at `path` from the root (`''` for it), added; the same rules when undefined. */
  with(path: string, text: string | undefined): FilterRules {
    if (text === undefined) return this;
    const base = path ? `${path}/` : '';
    return new FilterRules(this.#excluded, this.#included, [...this.#files, { base, rules: ignore().add(text) }]);
  }

  /** Why the folder `name` (at `path` from the root) is not walked, or undefined when it is. */
  folder(name: string, path: string): string | undefined {
    if (this.#excluded.dir(name, path)) return 'Folder matches an ignore rule; nothing in it was uploaded';
    const file = this.#ignoredBy(`${path}/`);
    return file === undefined ? undefined : `Folder matches a rule in ${file}; nothing in it was uploaded`;
  }

  /** Why the file `name` (at `path` from the root) is not sent, or undefined when it is. */
  file(name: string, path: string): string | undefined {
    if (this.#excluded.file(name, path)) return 'Matches an ignore rule';
    const file = this.#ignoredBy(path);
    if (file !== undefined) return `Matches a rule in ${file}`;
    if (this.#included && !this.#isIncluded(name, path)) return 'Matched by no --include';
    return undefined;
  }

  /** The `.hoistignore` (as a path from the root) whose rules leave `path` out; the deepest with a say decides. */
  #ignoredBy(path: string): string | undefined {
    for (let i = this.#files.length - 1; i >= 0; i--) {
      const { base, rules } = this.#files[i]!;
      if (!path.startsWith(base)) continue;
      const verdict = rules.test(path.slice(base.length));
      if (verdict.ignored) return `${base}${IGNORE_FILE}`;
      if (verdict.unignored) return undefined;
    }
    return undefined;
  }

  #isIncluded(name: string, path: string): boolean {
    const included = this.#included!;
    if (included.file(name, path)) return true;
    const parts = path.split('/');
    for (let i = 0; i < parts.length - 1; i++)
      if (included.dir(parts[i]!, parts.slice(0, i + 1).join('/'))) return true;
    return false;
  }
}
