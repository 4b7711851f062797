import cliProgress from 'cli-progress';
import type { BatchReport, FileOutcome } from '../shared/outcome';
import { formatBytes, type BatchProgress } from '../shared/progress';

/** How the CLI tells the user what happens. */
export interface Reporter {
  info(message: string): void;
  warning(message: string): void;
  file(outcome: FileOutcome): void;
  progress(progress: BatchProgress): void;
  end(report: BatchReport, where: Record<string, string>): void;
}

const eta = (seconds: number | null): string =>
  seconds === null
    ? '?'
    : seconds >= 3600
      ? `${Math.floor(seconds / 3600)}h${Math.floor((seconds % 3600) / 60)}m`
      : seconds >= 60
        ? `${Math.floor(seconds / 60)}m${seconds % 60}s`
        : `${seconds}s`;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `3 uploaded, 12 skipped (10 already there, 2 conflicts), 45 refused, 1 failed (1 conflict) (1.2 MiB)`. */
function summary(report: BatchReport): string {
  const count = (code: string, status: FileOutcome['status']) =>
    report.files.filter((f) => f.code === code && f.status === status).length;
  const why = (parts: string[]) => (parts.some(Boolean) ? ` (${parts.filter(Boolean).join(', ')})` : '');
  const [there, conflicts] = [count('already-there', 'skipped'), count('conflict', 'skipped')];
  const skipped = `${report.counts.skipped} skipped${why([there ? `${there} already there` : '', conflicts ? plural(conflicts, 'conflict') : ''])}`;
  const failedConflicts = count('conflict', 'failed');
  const failed = `${report.counts.failed} failed${why([failedConflicts ? plural(failedConflicts, 'conflict') : ''])}`;
  const refused = report.counts.rejected ? `${report.counts.rejected} refused, ` : '';
  return `${report.counts.uploaded} uploaded, ${skipped}, ${refused}${failed} (${formatBytes(report.bytesUploaded)})`;
}

/** What each refusal code means, in a few words for the summary. */
const REFUSED_AS: Record<string, string> = {
  'type-not-allowed': 'type not allowed',
  'invalid-type': 'type not allowed',
  'too-large': 'too large',
  'invalid-path': 'name not allowed',
  'duplicate-path': 'same name as another file',
  'quota-exceeded': 'over quota',
  'overwrite-not-allowed': 'replacing not allowed',
  'invalid-destination': 'destination not allowed',
  'destination-not-allowed': 'destination not allowed',
  'destination-required': 'destination not allowed',
};

const extensionOf = (path: string): string => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : name;
};

/**
 * The refused files grouped by reason, then by extension, most first:
 * `45 refused: type not allowed (.html ×25, .svg ×20); too large (.mov ×1)`; empty when none was refused.
 */
export function refusedSummary(files: readonly FileOutcome[]): string {
  const groups = new Map<string, Map<string, number>>();
  for (const file of files.filter((f) => f.status === 'rejected')) {
    const reason = REFUSED_AS[file.code ?? ''] ?? file.code ?? 'refused';
    const byExtension = groups.get(reason) ?? new Map<string, number>();
    byExtension.set(extensionOf(file.path), (byExtension.get(extensionOf(file.path)) ?? 0) + 1);
    groups.set(reason, byExtension);
  }
  if (!groups.size) return '';
  const total = [...groups.values()].reduce((sum, g) => sum + [...g.values()].reduce((a, b) => a + b, 0), 0);
  const parts = [...groups].map(([reason, byExtension]) => {
    const counts = [...byExtension].sort((a, b) => b[1] - a[1]).map(([ext, n]) => `${ext} ×${n}`);
    return `${reason} (${counts.join(', ')})`;
  });
  return `${total} refused: ${parts.join('; ')}`;
}

/** The most renamed files the summary names one by one; the report names them all. */
const RENAMES_LISTED = 10;

/**
 * The files that went, or were already, under another name, as `renamed: a.jpg → a (1).jpg` lines (ten
 * at most, then how many more); none when no file was renamed.
 */
export function renamedSummary(files: readonly FileOutcome[]): string[] {
  const renamed = files.filter((f) => f.renamedTo !== undefined);
  const lines = renamed.slice(0, RENAMES_LISTED).map((f) => `renamed: ${f.path} → ${f.renamedTo}`);
  if (renamed.length > RENAMES_LISTED) lines.push(`renamed: ${renamed.length - RENAMES_LISTED} more (see the report)`);
  return lines;
}

/** One JSON object per line: `info`, `warning`, `file`, `progress` (at most 1/s, and the last) and `end` events. */
export function jsonReporter(write: (line: string) => void): Reporter {
  let last = 0;
  const emit = (event: string, data: object) => write(`${JSON.stringify({ event, ...data })}\n`);
  return {
    info: (message) => emit('info', { message }),
    warning: (message) => emit('warning', { message }),
    file: (outcome) => emit('file', outcome),
    progress: (progress) => {
      const final = progress.state === 'done' || progress.state === 'cancelled';
      if (!final && Date.now() - last < 1000) return;
      last = Date.now();
      emit('progress', { ...progress, active: progress.active.length });
    },
    end: (report, where) =>
      emit('end', { batchId: report.batchId, counts: report.counts, bytesUploaded: report.bytesUploaded, ...where }),
  };
}

/** `16 connections`: how many the engine allows now. */
const connectionsText = (n: number): string => `${n} connection${n === 1 ? '' : 's'}`;

/** Plain lines for logs and pipes: failures as they happen, a status line every 5 s, a summary. */

export function plainReporter(write: (line: string) => void): Reporter {
  let last = Date.now();
  return {
    info: (message) => write(`${message}\n`),
    warning: (message) => write(`warning: ${message}\n`),
    file: (outcome) => {
      if (outcome.status === 'failed') write(`failed: ${outcome.path}: ${outcome.reason}\n`);
      if (outcome.status === 'rejected') write(`refused: ${outcome.path}: ${outcome.reason}\n`);
    },
    progress: (p) => {
      // Nothing found yet (the signer not answered, the scan not begun): a line of zeros says nothing.
      if (Date.now() - last < 5000 || !p.files.total) return;
      last = Date.now();
      const done = p.files.uploaded + p.files.skipped + p.files.rejected + p.files.failed;
      write(
        `${done}/${p.files.total} files, ${formatBytes(p.bytes.done)}/${formatBytes(p.bytes.total)}, ${formatBytes(p.throughput)}/s, ${connectionsText(p.connections)}, ETA ${eta(p.etaSeconds)}\n`,
      );
    },
    end: (report, where) => {
      write(`${summary(report)}\n`);
      const refused = refusedSummary(report.files);
      if (refused) write(`${refused}\n`);
      for (const line of renamedSummary(report.files)) write(`${line}\n`);
      for (const [label, value] of Object.entries(where)) write(`${label}: ${value}\n`);
    },
  };
}

/** A live bar (cli-progress) with files, bytes, speed, connections and ETA; failures print above it. */
export function ttyReporter(stream: NodeJS.WriteStream): Reporter {
  const bars = new cliProgress.MultiBar(
    {
      stream,
      format: '{bar} {percentage}% | {files} files | {bytes} | {speed}/s | {connections} | ETA {etaText}',
      barCompleteChar: '█',
      barIncompleteChar: '░',
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  const plain = plainReporter((line) => (bar ? bars.log(line) : stream.write(line)));
  return {
    info: plain.info,
    warning: plain.warning,
    file: plain.file,
    progress: (p) => {
      const payload = {
        files: `${p.files.uploaded + p.files.skipped + p.files.rejected + p.files.failed}/${p.files.total}${p.totalsKnown ? '' : '+'}`,
        bytes: `${formatBytes(p.bytes.done)}/${formatBytes(p.bytes.total)}`,
        speed: formatBytes(p.throughput),
        connections: connectionsText(p.connections),
        etaText: eta(p.etaSeconds),
      };
      bar ??= bars.create(Math.max(1, p.bytes.total), p.bytes.done, payload);
      bar.setTotal(Math.max(1, p.bytes.total));
      bar.update(p.bytes.done, payload);
    },
    end: (report, where) => {
      bars.stop();
      bar = undefined;
      plain.end(report, where);
    },
  };
}
