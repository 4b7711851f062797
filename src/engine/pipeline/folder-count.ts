import { opendirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';
import { FilterRules } from './filter-rules';

// The count runs on the scan thread (scan-worker.ts), between the chunks of its walk: synchronous calls,
// a fraction of the CPU of asynchronous ones through libuv's pool, and none of it on the thread that
// uploads, whose file reads the pool then serves alone.

/** How many entries a folder holds and how many bytes its files add up to, as the scan will find them. */
export interface FolderCount {
  files: number;
  bytes: number;
}

/** Files stat'ed between two pauses of the count, in which the thread's walk and messages get their turn. */
const STATS_PER_PAUSE = 256;

/** The size of the file at `path`, 0 when it cannot be read: the count is an estimate. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/**
 * Counts what a walk of the folder `root` will yield: every entry once, as the walk's (an ignored file or
 * folder, a symlink, a pipe), and the bytes of the regular files it will send. Symlinks are counted, not
 * followed, so the figure is an estimate the scan's own totals correct. Pauses every few hundred files,
 * yielding the count so far; returns the whole count.
 */
export function* countEntries(
  root: string,
  ignore: readonly string[],
  only?: readonly string[],
): Generator<FolderCount, FolderCount, void> {
  const count: FolderCount = { files: 0, bytes: 0 };
  let stats = 0;
  function* visit(dir: string, path: string, outer: FilterRules, chosen?: readonly string[]): Generator<FolderCount> {
    const rules = outer.within(dir, path);
    let handle;
    try {
      handle = opendirSync(dir, { bufferSize: 256 });
    } catch {
      return;
    }
    try {
      for (let entry = handle.readSync(); entry; entry = handle.readSync()) {
        if (chosen && !chosen.includes(entry.name)) continue;
        const entryPath = path ? `${path}/${entry.name}` : entry.name;
        if (!entry.isDirectory()) {
          count.files += 1;
          if (!entry.isFile() || rules.file(entry.name, entryPath)) continue;
          count.bytes += sizeOf(dir + sep + entry.name);
          if (++stats % STATS_PER_PAUSE === 0) yield count;
        } else if (rules.folder(entry.name, entryPath)) count.files += 1;
        else yield* visit(dir + sep + entry.name, entryPath, rules);
      }
    } finally {
      handle.closeSync();
    }
  }
  // A selection inside the root counts its entries only: names of the root, or deeper paths each alone.
  yield* visit(
    root,
    '',
    FilterRules.of(ignore),
    only?.filter((path) => !path.includes('/')),
  );
  for (const path of only?.filter((p) => p.includes('/')) ?? []) {
    const parent = path.slice(0, path.lastIndexOf('/'));
    yield* visit(join(root, ...parent.split('/')), parent, FilterRules.of(ignore), [path.slice(parent.length + 1)]);
  }
  return count;
}
