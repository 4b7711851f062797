import { closeSync, fchmodSync, fstatSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { ConflictChoice } from '../../shared/conflicts';
import type { FileOutcome } from '../../shared/outcome';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../private-files';

/** The first record: what the batch is, so a later run can find and resume it. */
export interface BatchHeader {
  t: 'batch';
  v: 1;
  batchId: string;
  root: string;
  signer: string;
  startedAt: string;
  ignore: string[];
  /** Set when the batch follows symlinks that lead outside its folder; absent in older journals. */
  followSymlinks?: boolean;
  /** The entries of the root the batch takes, for a selection of files and folders; the whole root when absent. */
  only?: string[];
  /** The folder inside the caller's prefix the batch uploads into; its own batch folder when absent. */
  destination?: string;
  /** What the batch does where the destination holds a different file; `skip` when absent. */
  onConflict?: ConflictChoice;
}

/** A multipart upload started for a file, as planned then. */
export interface MultipartRecord {
  t: 'mp';
  path: string;
  size: number;
  mtimeMs: number;
  key: string;
  token: string;
  partSize: number;
  partCount: number;
}

/** One part S3 accepted, with its verified ETag. */
export interface PartRecord {
  t: 'part';
  path: string;
  n: number;
  md5: string;
}

/** A file's final outcome. */
export interface FileEndRecord {
  t: 'file';
  outcome: FileOutcome;
}

type JournalRecord =
  | BatchHeader
  | MultipartRecord
  | PartRecord
  | FileEndRecord
  | { t: 'end'; endedAt: string }
  | { t: 'resume'; at: string };

/** What a journal says about a batch: finished files, multipart uploads in progress and their parts. */
export interface JournalState {
  header: BatchHeader;
  finished: Map<string, FileOutcome>;
  multipart: Map<string, { record: MultipartRecord; parts: Map<number, string> }>;
  ended: boolean;
}

/** Bytes of a journal read at a time: a million files' journal (~210 MB) is never one string. */
const READ_CHUNK = 1 << 20;

/** The lines of `file`, read a chunk at a time (the last one even without its newline). */
function* linesOf(file: string): Generator<string> {
  const fd = openSync(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(READ_CHUNK);
    const decoder = new StringDecoder('utf8');
    let carry = '';
    for (let read = readSync(fd, chunk); read > 0; read = readSync(fd, chunk)) {
      const lines = (carry + decoder.write(chunk.subarray(0, read))).split('\n');
      carry = lines.pop()!;
      yield* lines;
    }
    yield carry + decoder.end();
  } finally {
    closeSync(fd);
  }
}

/** Reads a journal; a torn last line (a crash mid-write) is ignored, never fatal. */
export function readJournal(file: string): JournalState | undefined {
  let state: JournalState | undefined;
  for (const line of linesOf(file)) {
    if (!line) continue;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      continue;
    }
    if (record.t === 'batch') {
      state = { header: record, finished: new Map(), multipart: new Map(), ended: false };
    } else if (!state) {
      return undefined;
    } else if (record.t === 'mp') {
      state.multipart.set(record.path, { record, parts: new Map() });
    } else if (record.t === 'part') {
      state.multipart.get(record.path)?.parts.set(record.n, record.md5);
    } else if (record.t === 'file') {
      state.finished.set(record.outcome.path, record.outcome);
      state.multipart.delete(record.outcome.path);
    } else {
      state.ended = record.t === 'end';
    }
  }
  return state;
}

/**
 * The outcomes a journal records, in the order they were written, read a chunk at a time on each
 * iteration: a report of a million files is never held whole. Torn lines are passed over.
 */
export function* journalOutcomes(file: string): Generator<FileOutcome> {
  for (const line of linesOf(file)) {
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      // A torn record (or the empty last line): a failed write turned the journal off, and its outcome is kept in memory.
      continue;
    }
    if (record.t === 'file') yield record.outcome;
  }
}

/**
 * An append-only JSON-lines journal. Each record is one write(2) straight to the kernel, so a kill -9 at
 * any moment loses nothing already appended. A failed write (disk full, read-only) turns the journal off
 * and is reported through `problem`; uploads go on, only resume-after-crash is lost.
 */
export class Journal {
  readonly file: string;
  #fd: number | undefined;
  problem: string | undefined;

  private constructor(file: string, fd: number | undefined, problem: string | undefined) {
    this.file = file;
    this.#fd = fd;
    this.problem = problem;
  }

  /** Opens (or creates) the journal of `batchId` under `dir` for appending. */
  static open(dir: string, batchId: string): Journal {
    const file = join(dir, `${batchId}.jsonl`);
    try {
      makePrivateDir(dir);
      const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
      // A journal from before its folder was private keeps its mode on open: narrow it too.
      fchmodSync(fd, PRIVATE_FILE_MODE);
      return new Journal(file, fd, undefined);
    } catch (error) {
      return new Journal(
        file,
        undefined,
        `Cannot open the journal ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }

  /** Appends one record; after a failed write the journal is off and `problem` says why. */
  append(record: JournalRecord): void {
    if (this.#fd === undefined) return;
    try {
      writeSync(this.#fd, `${JSON.stringify(record)}\n`);
    } catch (error) {
      this.problem = `Cannot write the journal ${this.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}; a crash now would mean starting over`;
      this.close();
    }
  }

  /** Closes the file. */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** Bytes read from a journal's end to find its last record: an end record is about 50. */
const TAIL_BYTES = 256;

/**
 * Whether the journal's last record says the batch ended, from its last few bytes only: the state
 * folder keeps every batch's journal, and parsing them all whole at each start grew with the history
 * (50 ended batches of 5,000 files: ~650 ms and ~110 MB).
 */
function endedByTail(file: string): boolean {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, TAIL_BYTES));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    const last = tail.toString('utf8').trimEnd().split('\n').pop() ?? '';
    return (JSON.parse(last) as { t?: unknown }).t === 'end';
  } catch {
    // A torn or cut-off last line: the whole read decides.
    return false;
  } finally {
    closeSync(fd);
  }
}

/** True when the journal `file` records a batch that ended (its last record, or failing that the whole file, says so). */
export function journalEnded(file: string): boolean {
  return endedByTail(file) || Boolean(readJournal(file)?.ended);
}

/** Journals under `dir` of batches that did not end, newest first. */
export function unfinishedJournals(dir: string): JournalState[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.jsonl'));
  } catch {
    return [];
  }
  return (
    names
      .map((name) => join(dir, name))
      .filter((file) => !endedByTail(file))
      .map((file) => readJournal(file))
      .filter((state): state is JournalState => Boolean(state && !state.ended))
      // ISO 8601 times in UTC sort as plain strings; localeCompare's first call loads ICU's collation, ~9 ms here.
      .sort((a, b) => (a.header.startedAt < b.header.startedAt ? 1 : a.header.startedAt > b.header.startedAt ? -1 : 0))
  );
}
