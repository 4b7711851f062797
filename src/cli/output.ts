import cliProgress from 'cli-progress';
import type { FolderPlan } from '../engine';
import type { FileOutcome } from '../shared/outcome';
import { formatBytes, type BatchProgress } from '../shared/progress';
import { endedFiles, etaText, progressLine } from './progress-line';
import {
  folderEndLines,
  landingText,
  sumTallies,
  totalLine,
  type FolderEnd,
  type FolderTally,
  type Landing,
} from './summary';

/** How the CLI tells the user what happens. */
export interface Reporter {
  info(message: string): void;
  warning(message: string): void;
  /** What stops the run (or the folder). */
  error(message: string): void;
  file(outcome: FileOutcome): void;
  progress(progress: BatchProgress): void;
  /** A dry run's plan of one folder. */
  plan(folder: string, landing: Landing, plan: FolderPlan): void;
  /** One folder's push ended. */
  end(end: FolderEnd): void;
  /** Every folder ended: the sum, when there were several. */
  total(tallies: readonly FolderTally[]): void;
}

/** What the screen shows besides errors and failures. */
export interface ScreenOptions {
  /** Only errors, warnings and failed files: no progress, no notes, no summary. */
  quiet?: boolean;
  /** Progress lines (a live line on a terminal, a status line every 5 s elsewhere). */
  progress?: boolean;
}

/** The version of the JSON events' shape: it goes up when a field changes meaning or goes away. */
export const JSON_EVENTS_VERSION = 1;

/** Every event to each reporter, in order: the screen, and the log file. */
export function fanOut(...reporters: Reporter[]): Reporter {
  const each =
    <K extends keyof Reporter>(key: K) =>
    (...args: Parameters<Reporter[K]>) => {
      for (const reporter of reporters) (reporter[key] as (...a: Parameters<Reporter[K]>) => void)(...args);
    };
  return {
    info: each('info'),
    warning: each('warning'),
    error: each('error'),
    file: each('file'),
    progress: each('progress'),
    plan: each('plan'),
    end: each('end'),
    total: each('total'),
  };
}

/** A dry run's plan in lines: where it would land, what would upload (human sizes), then each file that would not. */
function planLines(folder: string, landing: Landing, plan: FolderPlan): string[] {
  const there = plan.destination
    ? `; ${plan.alreadyThere.length} already there; ${plan.conflicts.length} in conflict`
    : '';
  const unreadable = plan.failed.length ? `; ${plan.failed.length} unreadable` : '';
  const { files, bytes, multipart } = plan.upload;
  return [
    `${folder}: would land in ${landingText(landing)}`,
    `${folder}: ${files} files (${formatBytes(bytes)}, ${multipart} in parts) would upload${there}; ` +
      `${plan.rejected.length} refused; ${plan.skipped.length} skipped${unreadable}`,
    ...plan.quotas.map((quota) => `warning: ${folder}: ${quota}`),
    ...plan.conflicts.map((c) => `  conflict ${c.path}: ${c.reason}`),
    ...plan.rejected.map((r) => `  refused ${r.path}: ${r.reason}`),
    ...plan.failed.map((f) => `  unreadable ${f.path}: ${f.reason}`),
    ...plan.skipped.map((s) => `  skipped ${s.path}: ${s.reason}`),
  ];
}

/** `16 connections`: how many the engine allows now. */
const connectionsText = (n: number): string => `${n} connection${n === 1 ? '' : 's'}`;

/**
 * Plain lines for logs and pipes: failures as they happen, a status line every 5 s, a summary per
 * folder (with its refusals and conflicts) and a total; errors to `writeError`.
 */
export function plainReporter(
  write: (line: string) => void,
  writeError: (line: string) => void = write,
  { quiet = false, progress = true }: ScreenOptions = {},
): Reporter {
  let last = Date.now();
  const lines = (text: string[]) => text.forEach((line) => write(`${line}\n`));
  return {
    info: (message) => quiet || write(`${message}\n`),
    warning: (message) => write(`warning: ${message}\n`),
    error: (message) => writeError(`error: ${message}\n`),
    // Failures as they happen; refusals are listed, grouped, after the folder's summary.
    file: (outcome) => outcome.status === 'failed' && write(`failed: ${outcome.path}: ${outcome.reason}\n`),
    progress: (p) => {
      // Nothing found yet (the signer not answered, the scan not begun): a line of zeros says nothing.
      if (quiet || !progress || Date.now() - last < 5000 || !p.files.total) return;
      last = Date.now();
      write(
        `${endedFiles(p)}/${p.files.total} files, ${formatBytes(p.bytes.done)}/${formatBytes(p.bytes.total)}, ${formatBytes(p.throughput)}/s, ${connectionsText(p.connections)}, ETA ${etaText(p.etaSeconds)}\n`,
      );
    },
    plan: (folder, landing, plan) => lines(planLines(folder, landing, plan)),
    end: (end) => quiet || lines(folderEndLines(end)),
    total: (tallies) => quiet || tallies.length < 2 || write(`${totalLine(tallies)}\n`),
  };
}

/** Lines for `--log-file` and `--verbose`: every file's outcome, every note, time-stamped. */
export function logReporter(write: (line: string) => void): Reporter {
  const log = (text: string) => write(`${new Date().toISOString()} ${text}\n`);
  return {
    info: (message) => log(message),
    warning: (message) => log(`warning: ${message}`),
    error: (message) => log(`error: ${message}`),
    file: (f) =>
      log(
        `${f.status}: ${f.path} (${formatBytes(f.size)})${f.reason ? `: ${f.reason}` : ''}${f.key ? ` → ${f.key}` : ''}`,
      ),
    progress: () => undefined,
    plan: (folder, landing, plan) => planLines(folder, landing, plan).forEach(log),
    end: (end) => folderEndLines(end).forEach(log),
    total: (tallies) => tallies.length < 2 || log(totalLine(tallies)),
  };
}

/** Where a batch lands, as data: the bucket when known, the prefix and the folder. */
const destinationData = (landing: Landing) => ({
  ...(landing.bucket ? { bucket: landing.bucket } : {}),
  prefix: `${landing.prefix}/${landing.folder}/`,
  folder: landing.folder,
});

/**
 * One JSON object per line, each with `v` (JSON_EVENTS_VERSION) and `event`: `info`, `warning`,
 * `error`, `file`, `progress` (at most 1/s, and the last), `plan`, `end` and `total`. docs/cli.md
 * describes each.
 */
export function jsonReporter(write: (line: string) => void): Reporter {
  let last = 0;
  const emit = (event: string, data: object) =>
    write(`${JSON.stringify({ v: JSON_EVENTS_VERSION, event, ...data })}\n`);
  const listed = (files: FileOutcome[]) => files.map(({ path, code, reason }) => ({ path, code, reason }));
  return {
    info: (message) => emit('info', { message }),
    warning: (message) => emit('warning', { message }),
    error: (message) => emit('error', { message }),
    file: (outcome) => emit('file', outcome),
    progress: (progress) => {
      const final = progress.state === 'done' || progress.state === 'cancelled';
      if (!final && Date.now() - last < 1000) return;
      last = Date.now();
      emit('progress', { ...progress, active: progress.active.length });
    },
    plan: (folder, landing, plan) =>
      emit('plan', {
        folder,
        destination: destinationData(landing),
        upload: plan.upload,
        alreadyThere: plan.alreadyThere.length,
        conflicts: listed(plan.conflicts),
        rejected: listed(plan.rejected),
        skipped: listed(plan.skipped),
        failed: listed(plan.failed),
        quotas: plan.quotas,
      }),
    end: ({ folder, report, landing, written, elapsedSeconds }) =>
      emit('end', {
        folder,
        batchId: report.batchId,
        destination: destinationData(landing),
        counts: report.counts,
        bytesUploaded: report.bytesUploaded,
        elapsedSeconds,
        ...written,
      }),
    total: (tallies) => {
      if (tallies.length < 2) return;
      emit('total', { folders: tallies.length, ...sumTallies(tallies) });
    },
  };
}

/**
 * A live line (cli-progress) laid out for the terminal's width as it is at each redraw; failures and
 * warnings print above it, in full, wrapping as the terminal does.
 */
export function ttyReporter(stream: NodeJS.WriteStream, writeError: (line: string) => void): Reporter {
  const bars = new cliProgress.MultiBar({
    stream,
    format: (_options, _params, payload: { snapshot: BatchProgress }) =>
      progressLine(payload.snapshot, stream.columns || 80),
    hideCursor: true,
    clearOnComplete: false,
    // The terminal keeps wrapping long lines, so a long reason is never cut at the edge; the line
    // itself is laid out to fit.
    linewrap: true,
  });
  let bar: cliProgress.SingleBar | undefined;
  const plain = plainReporter((line) => (bar ? bars.log(line) : stream.write(line)), writeError, { progress: false });
  const stop = () => {
    // Lines logged since the last redraw print before the last line of progress, not after it.
    bars.update();
    bars.stop();
    bar = undefined;
  };
  return {
    ...plain,
    progress: (snapshot) => {
      bar ??= bars.create(1, 0, { snapshot });
      bar.update(0, { snapshot });
    },
    error: (message) => {
      if (bar) stop();
      plain.error(message);
    },
    end: (end) => {
      if (bar) stop();
      plain.end(end);
    },
  };
}
