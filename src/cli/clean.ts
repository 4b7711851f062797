import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { journalEnded } from '../engine';
import { embeddedDir } from '../embedded/embedded-stack';
import { formatBytes } from '../shared/progress';
import { JSON_EVENTS_VERSION } from './output';
import { parseStateDir } from './parse-options';

/** What `hoist clean` removes: what is older than `days`, unfinished batches only if asked, the embedded store's files if asked. */
export interface CleanOptions {
  days: number;
  unfinished: boolean;
  embedded: boolean;
  dryRun: boolean;
}

/** What a clean removed (or, in a dry run, would remove). */
export interface Cleaned {
  reports: number;
  journals: number;
  /** Unfinished batches older than the cut-off that were kept, since they can still resume. */
  keptUnfinished: number;
  embeddedStore: boolean;
  bytes: number;
}

/** Parses `--older-than`: whole days, `30` or `30d`. */
export function parseDays(value: string): number {
  const days = Number(value.replace(/d$/u, ''));
  if (!Number.isInteger(days) || days < 0)
    throw new InvalidArgumentError(
      `Expected \`--older-than\` to be a whole number of days like \`30d\`, got \`${value}\``,
    );
  return days;
}

/** The files directly in `dir` (none when it does not exist), with their size and age. */
async function filesIn(dir: string): Promise<{ path: string; size: number; mtimeMs: number }[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const found = await Promise.all(
    names.map(async (name) => {
      const info = await stat(join(dir, name)).catch(() => undefined);
      return info?.isFile() ? { path: join(dir, name), size: info.size, mtimeMs: info.mtimeMs } : undefined;
    }),
  );
  return found.filter((file) => file !== undefined);
}

/** Bytes under `dir`, every level. */
async function bytesUnder(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map((e) =>
        stat(join(e.parentPath, e.name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/**
 * Removes from the state folder the reports and the journals of ended batches older than `days` (and
 * of unfinished ones with `unfinished`), and with `embedded` the files the embedded store holds; with
 * `dryRun` removes nothing. The settings, sign-ins, hash cache and the embedded store's token stay.
 */
export async function clean(stateDir: string, options: CleanOptions, now = Date.now()): Promise<Cleaned> {
  const cutoff = now - options.days * 86_400_000;
  const cleaned: Cleaned = { reports: 0, journals: 0, keptUnfinished: 0, embeddedStore: false, bytes: 0 };
  const remove = async (path: string, size: number) => {
    cleaned.bytes += size;
    if (!options.dryRun) await rm(path, { recursive: true, force: true });
  };
  for (const file of await filesIn(join(stateDir, 'reports')))
    if (file.mtimeMs < cutoff && /\.(json|csv)$/u.test(file.path)) {
      await remove(file.path, file.size);
      cleaned.reports += Number(file.path.endsWith('.json'));
    }
  for (const file of await filesIn(join(stateDir, 'journals'))) {
    if (file.mtimeMs >= cutoff || !file.path.endsWith('.jsonl')) continue;
    if (!options.unfinished && !journalEnded(file.path)) {
      cleaned.keptUnfinished += 1;
      continue;
    }
    await remove(file.path, file.size);
    cleaned.journals += 1;
  }
  if (options.embedded) {
    const store = join(embeddedDir(stateDir), 's3');
    await remove(store, await bytesUnder(store));
    cleaned.embeddedStore = true;
  }
  return cleaned;
}

/** `removed 12 reports, 10 journals and the embedded store's files (1.2 GB)`, and what was kept. */
export function cleanedText(cleaned: Cleaned, options: CleanOptions): string {
  const parts = [
    `${cleaned.reports} report${cleaned.reports === 1 ? '' : 's'}`,
    `${cleaned.journals} journal${cleaned.journals === 1 ? '' : 's'}`,
  ];
  if (cleaned.embeddedStore) parts.push("the embedded store's files");
  const verb = options.dryRun ? 'would remove' : 'removed';
  const kept = cleaned.keptUnfinished
    ? `; kept ${cleaned.keptUnfinished} unfinished batch${cleaned.keptUnfinished === 1 ? '' : 'es'} older than ${options.days} days (pushing the folder again resumes it; --unfinished removes it)`
    : '';
  return `${verb} ${parts.join(', ')} (${formatBytes(cleaned.bytes)})${kept}`;
}

/** Adds `hoist clean`: keeps the state folder bounded, saying what it removed. */
export function addCleanCommand(program: Command, stateDirOf: (flag: string | undefined) => string): void {
  program
    .command('clean')
    .description('remove old reports and journals from the state folder (and, if asked, the embedded store)')
    .addOption(
      new Option('--older-than <days>', 'remove what is older than this many days').argParser(parseDays).default(30),
    )
    .option('--unfinished', 'also remove unfinished batches older than that (they can no longer resume)')
    .option('--embedded', 'also remove every file the embedded store holds (its token stays)')
    .option('-n, --dry-run', 'say what would be removed; remove nothing')
    .addOption(new Option('--state-dir <dir>', 'the state folder (or HOIST_STATE_DIR)').argParser(parseStateDir))
    .option('--json', 'print the result as one JSON event')
    .action(
      async (flags: {
        olderThan: number;
        unfinished?: boolean;
        embedded?: boolean;
        dryRun?: boolean;
        stateDir?: string;
        json?: boolean;
      }) => {
        const options = {
          days: flags.olderThan,
          unfinished: flags.unfinished ?? false,
          embedded: flags.embedded ?? false,
          dryRun: flags.dryRun ?? false,
        };
        const stateDir = stateDirOf(flags.stateDir);
        const cleaned = await clean(stateDir, options);
        process.stdout.write(
          flags.json
            ? `${JSON.stringify({ v: JSON_EVENTS_VERSION, event: 'clean', stateDir, dryRun: options.dryRun, ...cleaned })}\n`
            : `${stateDir}: ${cleanedText(cleaned, options)}\n`,
        );
      },
    );
}
