import { noCounts, type BatchReport, type FileOutcome, type FileStatus } from '../shared/outcome';
import { formatBytes } from '../shared/progress';

/** Where a batch's files land: the caller's prefix and the folder in it, and the bucket when it is known (the embedded store's). */
export interface Landing {
  prefix: string;
  folder: string;
  bucket?: string;
}

/** One folder's push as it ended: its report, where it landed, where its report went, how long it took. */
export interface FolderEnd {
  /** The folder as the user named it. */
  folder: string;
  report: BatchReport;
  /** What the lines after its summary say of its outcomes, gathered as they came. */
  notes: OutcomeNotes;
  landing: Landing;
  /** The report's files and, with --links, how long the links last: `report`, `csv`, `links`. */
  written: Record<string, string>;
  elapsedSeconds: number;
}

/** The most lines a list after the summary holds; the report has them all. */
export const LISTED = 10;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** `12 s`, `3 min 4 s`, `1 h 02 min`. */
export function durationText(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${seconds < 10 ? seconds.toFixed(1) : s} s`;
}

/** `12 MB in 4.0 s, 3.0 MB/s`: what moved, how long it took and the average speed; `nothing sent in 0.2 s`. */
export function movedText(bytes: number, seconds: number): string {
  if (bytes === 0) return `nothing sent in ${durationText(seconds)}`;
  const speed = seconds > 0 ? `, ${formatBytes(bytes / seconds)}/s` : '';
  return `${formatBytes(bytes)} in ${durationText(seconds)}${speed}`;
}

/** Up to LISTED lines of one kind, and how many there were in all. */
class Listed {
  readonly lines: string[] = [];
  count = 0;

  add(line: string): void {
    if (this.lines.length < LISTED) this.lines.push(line);
    this.count += 1;
  }

  /** `label: text` per line kept, then `label: N more (see the report)`. */
  text(label: string): string[] {
    const lines = this.lines.map((line) => `${label}: ${line}`);
    if (this.count > LISTED) lines.push(`${label}: ${this.count - LISTED} more (see the report)`);
    return lines;
  }
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

/** Why files were skipped, by code, in a few words for `n` of them; in the order the summary lists them. */
const SKIPPED_AS: Record<string, (n: number) => string> = {
  'already-there': (n) => `${n} already there`,
  exists: (n) => `${n} whose key was taken`,
  conflict: (n) => plural(n, 'conflict'),
  ignored: (n) => `${n} ignored`,
  'symlink-outside': (n) => `${plural(n, 'symlink')} leading outside`,
  'symlink-loop': (n) => plural(n, 'symlink loop'),
  'not-a-file': (n) => plural(n, 'special file'),
  cancelled: (n) => `${n} cancelled`,
};

const extensionOf = (path: string): string => {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : name;
};

/**
 * What a folder's summary says of its files beyond the counts, taken one outcome at a time as the files
 * end (a million files' outcomes are never held): the skips and failures by cause, and the conflicts,
 * refusals and renamed files, ten of each by name.
 */
export class OutcomeNotes {
  /** Skipped files by code. */
  readonly skippedAs = new Map<string, number>();
  failedConflicts = 0;
  readonly conflicts = new Listed();
  readonly refused = new Listed();
  readonly renamed = new Listed();
  /** Refusals by reason, then by extension. */
  readonly refusedAs = new Map<string, Map<string, number>>();

  /** Takes one file's outcome into the notes. */
  add(file: FileOutcome): void {
    if (file.status === 'skipped') {
      const code = file.code ?? 'other';
      this.skippedAs.set(code, (this.skippedAs.get(code) ?? 0) + 1);
    }
    if (file.code === 'conflict') {
      if (file.status === 'failed') this.failedConflicts += 1;
      this.conflicts.add(`${file.path}: ${file.reason ?? file.status}`);
    }
    if (file.status === 'rejected') {
      this.refused.add(`${file.path}: ${file.reason ?? file.code}`);
      const reason = REFUSED_AS[file.code ?? ''] ?? file.code ?? 'refused';
      const byExtension = this.refusedAs.get(reason) ?? new Map<string, number>();
      byExtension.set(extensionOf(file.path), (byExtension.get(extensionOf(file.path)) ?? 0) + 1);
      this.refusedAs.set(reason, byExtension);
    }
    if (file.renamedTo !== undefined) this.renamed.add(`${file.path} → ${file.renamedTo}`);
  }
}

/** `3 uploaded, 12 skipped (9 already there, 2 conflicts, 1 ignored), 45 refused, 1 failed`. */
export function countsText(counts: BatchReport['counts'], notes: OutcomeNotes): string {
  const why = (parts: string[]) => (parts.length ? ` (${parts.join(', ')})` : '');
  const known = Object.keys(SKIPPED_AS);
  const rank = (code: string): number => (known.includes(code) ? known.indexOf(code) : known.length);
  const skippedWhy = [...notes.skippedAs]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([code, n]) => SKIPPED_AS[code]?.(n) ?? `${n} ${code}`);
  const skipped = `${counts.skipped} skipped${why(skippedWhy)}`;
  const failed = `${counts.failed} failed${why(notes.failedConflicts ? [plural(notes.failedConflicts, 'conflict')] : [])}`;
  const refused = counts.rejected ? `${counts.rejected} refused, ` : '';
  return `${counts.uploaded} uploaded, ${skipped}, ${refused}${failed}`;
}

/**
 * The refused files grouped by reason, then by extension, most first:
 * `45 refused: type not allowed (.html ×25, .svg ×20); too large (.mov ×1)`; empty when none was refused.
 */
export function refusedSummary(notes: OutcomeNotes): string {
  if (!notes.refused.count) return '';
  const parts = [...notes.refusedAs].map(([reason, byExtension]) => {
    const counts = [...byExtension].sort((a, b) => b[1] - a[1]).map(([ext, n]) => `${ext} ×${n}`);
    return `${reason} (${counts.join(', ')})`;
  });
  return `${notes.refused.count} refused: ${parts.join('; ')}`;
}

/**
 * The files that went, or were already, under another name, as `renamed: a.jpg → a (1).jpg` lines (ten
 * at most, then how many more); none when no file was renamed.
 */
export function renamedSummary(notes: OutcomeNotes): string[] {
  return notes.renamed.text('renamed');
}

/** `users/ben/shoot-2026/` (and the bucket, on the embedded store): where a batch's files land. */
export function landingText(landing: Landing): string {
  const keys = `${landing.prefix}/${landing.folder}/`;
  return landing.bucket ? `s3://${landing.bucket}/${keys}` : keys;
}

/** The lines that end one folder's push: its counts, what moved and how fast, the lists, where things are. */
export function folderEndLines(end: FolderEnd): string[] {
  const { report, notes } = end;
  const lines = [
    `${end.folder}: ${countsText(report.counts, notes)}; ${movedText(report.bytesUploaded, end.elapsedSeconds)}`,
    ...notes.conflicts.text('conflict'),
  ];
  const refused = refusedSummary(notes);
  if (refused) lines.push(refused, ...notes.refused.text('refused'));
  lines.push(
    ...renamedSummary(notes),
    `destination: ${landingText(end.landing)} (hoist ls ${end.landing.folder} lists it)`,
  );
  for (const [label, value] of Object.entries(end.written)) lines.push(`${label}: ${value}`);
  return lines;
}

/** What a push's total needs of each folder it sent: counts, bytes and time, none of its files. */
export interface FolderTally {
  counts: BatchReport['counts'];
  bytesUploaded: number;
  elapsedSeconds: number;
}

/** A folder's end as its tally: a push of several folders keeps this, not each folder's outcomes. */
export function tallyOf(end: FolderEnd): FolderTally {
  return { counts: end.report.counts, bytesUploaded: end.report.bytesUploaded, elapsedSeconds: end.elapsedSeconds };
}

/** Several folders' tallies summed into one. */
export function sumTallies(tallies: readonly FolderTally[]): FolderTally {
  const counts = noCounts();
  let bytesUploaded = 0;
  let elapsedSeconds = 0;
  for (const tally of tallies) {
    for (const key of Object.keys(counts) as FileStatus[]) counts[key] += tally.counts[key];
    bytesUploaded += tally.bytesUploaded;
    elapsedSeconds += tally.elapsedSeconds;
  }
  return { counts, bytesUploaded, elapsedSeconds };
}

/** `total: 3 folders, 120 uploaded, …; 1.2 GB in 1 min 4 s, 19 MB/s` for a push of several folders. */
export function totalLine(tallies: readonly FolderTally[]): string {
  const { counts, bytesUploaded, elapsedSeconds } = sumTallies(tallies);
  const refused = counts.rejected ? `${counts.rejected} refused, ` : '';
  return `total: ${plural(tallies.length, 'folder')}, ${counts.uploaded} uploaded, ${counts.skipped} skipped, ${refused}${counts.failed} failed; ${movedText(bytesUploaded, elapsedSeconds)}`;
}
