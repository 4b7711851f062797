import { randomBytes } from 'node:crypto';
import { EventEmitter, setMaxListeners } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import PQueue from 'p-queue';
import {
  DuplicateNames,
  normaliseRelativePath,
  type FileRequest,
  type FileResult,
  type MultipartResult,
  type Policy,
  type PutResult,
} from '@hoist/signer-server/protocol';
import type { BatchReport, FileOutcome, FileStatus } from '../../shared/outcome';
import type { BatchProgress } from '../../shared/progress';
import type { BandwidthLimiter } from './bandwidth';
import { lockBatch, type BatchLock } from './batch-lock';
import { contentTypeOf } from './content-type';
import { assertSameAsScanned, fileMissing, readFailure, UploadError } from './errors';
import { SMALL_FILE_BYTES, type Md5 } from './file-hash';
import type { HashPool, SmallRead } from './hash-pool';
import { Journal, readJournal, type BatchHeader, type JournalState, type MultipartRecord } from './journal';
import { uploadMultipart } from './multipart';
import { ProgressTracker } from './progress-tracker';
import { withRetries, type RetryOptions } from './retry';
import { DEFAULT_IGNORE, problemStatus, scanFolder, type ScannedFile } from './scan';
import type { SignerClient } from './signer-client';
import { putRange, type Agents } from './transfer';

/** What every batch of one engine shares: one connection budget, one bandwidth limit, one signer. */
export interface SharedResources {
  queue: PQueue;
  agents: Agents;
  limiter: BandwidthLimiter | undefined;
  signer: SignerClient;
  /** Hashes files off the main thread. */
  hasher: HashPool;
  signerUrl: string;
  concurrency: number;
  stallMs: number;
  retry: RetryOptions;
  journalDir: string;
  /** Files per sign request; the policy's limit caps it. */
  signBatchSize: number;
  /** The batches whose `run` has not settled yet. */
  running: Set<Batch>;
}

/** A file on its way: what was scanned, and its MD5 once computed. */
export interface PendingFile extends ScannedFile {
  type: string;
  md5?: Md5;
  /** A small file's bytes, kept from the hash pass so the PUT sends exactly what was hashed. */
  bytes?: Buffer;
}

/** Events a batch emits. */
export interface BatchEvents {
  progress: [BatchProgress];
  file: [FileOutcome];
  warning: [string];
}

const PROGRESS_INTERVAL_MS = 100;
/** Abort listeners one part in flight may hold on its file's signal (see `#signalFor`). */
const LISTENERS_PER_PART = 4;
/** Files in the first sign group. */
const FIRST_GROUP = 4;
/** Failures that come from the file, not the network: its multipart upload can never complete. */
const FILE_PROBLEMS = new Set(['changed-since-scan', 'changed-during-upload', 'file-missing', 'etag-mismatch']);

/** A batch id from the folder's name: ASCII letters, digits, `.`, `_`, `-`, then time and randomness. */
export function newBatchId(root: string): string {
  const slug =
    basename(root)
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]+/gu, '-')
      .replace(/^[^A-Za-z0-9]+/u, '')
      .slice(0, 32) || 'batch';
  return `${slug}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * One folder (or file) uploaded as one batch: scanned as a stream, signed just in time in groups,
 * uploaded through the shared queue, journalled for resume, and reported file by file.
 */
export class Batch extends EventEmitter<BatchEvents> {
  readonly id: string;
  readonly root: string;
  readonly #shared: SharedResources;
  readonly #ignore: string[];
  readonly #resumeFrom: JournalState | undefined;
  readonly #tracker: ProgressTracker;
  readonly #counts: Record<FileStatus, number> = { uploaded: 0, skipped: 0, failed: 0 };
  /** Outcomes the journal does not hold (it could not be written); the rest are read back from it. */
  readonly #unjournalled: FileOutcome[] = [];
  readonly #controller = new AbortController();
  readonly #fileControllers = new Map<string, AbortController>();
  /** Files cancelled one by one, including those not signed yet: they must never start. */
  readonly #cancelledFiles = new Set<string>();
  readonly #pausedFiles = new Map<string, { resume: () => void; wait: Promise<void> }>();
  readonly #tasks = new Set<Promise<void>>();
  #paused = false;
  #pauseGate: { wait: Promise<void>; open: () => void } | undefined;
  #journal: Journal | undefined;
  #policy: Policy | undefined;
  #startedAt = new Date().toISOString();
  #bytesUploaded = 0;

  constructor(
    root: string,
    shared: SharedResources,
    options: { id?: string; ignore?: string[]; resumeFrom?: JournalState } = {},
  ) {
    super();
    this.root = root;
    this.#shared = shared;
    this.#resumeFrom = options.resumeFrom;
    this.#ignore = options.resumeFrom?.header.ignore ?? options.ignore ?? [...DEFAULT_IGNORE];
    this.id = options.resumeFrom?.header.batchId ?? options.id ?? newBatchId(root);
    if (options.resumeFrom) this.#startedAt = options.resumeFrom.header.startedAt;
    this.#tracker = new ProgressTracker(this.id, root);
  }

  /** The latest progress snapshot. */
  progress(): BatchProgress {
    return this.#tracker.snapshot();
  }

  /** Stops starting new transfers of this batch; those in flight finish. */
  pause(): void {
    if (this.#paused || this.#tracker.state === 'done' || this.#tracker.state === 'cancelled') return;
    this.#paused = true;
    let open = (): void => undefined;
    const wait = new Promise<void>((resolve) => (open = resolve));
    this.#pauseGate = { wait, open };
    this.#tracker.state = 'paused';
  }

  /** Lets a paused batch go on. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#pauseGate?.open();
    this.#pauseGate = undefined;
    this.#tracker.state = 'uploading';
  }

  /** Cancels the batch: transfers abort, multipart uploads are aborted on S3, the rest end as cancelled. */
  cancel(): void {
    this.#controller.abort();
    for (const controller of this.#fileControllers.values()) controller.abort();
    this.resume();
    for (const paused of this.#pausedFiles.values()) paused.resume();
  }

  /** Holds one file back until `resumeFile`; a transfer in flight finishes first. */
  pauseFile(path: string): void {
    if (this.#pausedFiles.has(path)) return;
    let resume = (): void => undefined;
    const wait = new Promise<void>((resolve) => (resume = resolve));
    this.#pausedFiles.set(path, { resume, wait });
    this.#tracker.setPaused(path, true);
  }

  /** Releases a file held by `pauseFile`. */
  resumeFile(path: string): void {
    const paused = this.#pausedFiles.get(path);
    this.#pausedFiles.delete(path);
    this.#tracker.setPaused(path, false);
    paused?.resume();
  }

  /** Cancels one file; it ends as skipped with reason "cancelled". */
  cancelFile(path: string): void {
    this.#cancelledFiles.add(path);
    this.#fileControllers.get(path)?.abort();
    this.resumeFile(path);
  }

  /** Waits while the batch or the file is paused; throws when cancelled. */
  async gate(path: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new UploadError('cancelled', 'Cancelled by you', 'fatal');
      if (this.#pauseGate) await this.#pauseGate.wait;
      else if (this.#pausedFiles.has(path)) await this.#pausedFiles.get(path)!.wait;
      else return;
    }
  }

  #gated(path: string): boolean {
    return Boolean(this.#pauseGate || this.#pausedFiles.has(path));
  }

  /**
   * Runs `task` in the shared queue once this batch and file are not paused. A task that reaches the
   * front while paused gives its slot back and waits outside the queue, so a paused batch never holds
   * connections that other batches could use.
   */
  async runInQueue<T>(path: string, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const yielded = Symbol('yielded');
    for (;;) {
      await this.gate(path, signal);
      const result = await this.#shared.queue.add(async (): Promise<T | typeof yielded> => {
        if (signal.aborted) throw new UploadError('cancelled', 'Cancelled by you', 'fatal');
        return this.#gated(path) ? yielded : task();
      });
      if (result !== yielded) return result as T;
    }
  }

  #record(outcome: FileOutcome, journal = true): void {
    this.#counts[outcome.status] += 1;
    this.#tracker.finish(outcome.path, outcome.status, outcome.size);
    if (outcome.status === 'uploaded') this.#bytesUploaded += outcome.size;
    if (journal) this.#journal?.append({ t: 'file', outcome });
    if (!this.#journal || this.#journal.problem) this.#unjournalled.push(outcome);
    this.emit('file', outcome);
  }

  #failure(file: { path: string; size: number }, error: unknown, key?: string): FileOutcome {
    const e =
      error instanceof UploadError
        ? error
        : new UploadError('internal', String((error as Error)?.message ?? error), 'fatal');
    const cancelled = e.code === 'cancelled';
    return {
      path: file.path,
      status: cancelled || e.code === 'exists' ? 'skipped' : 'failed',
      size: file.size,
      ...(key ? { key } : {}),
      code: e.code,
      reason: cancelled ? 'Cancelled by you' : e.message,
    };
  }

  /** Throws unless the file still has the size and modification time it had when scanned. */
  async assertUnchanged(file: { absolutePath: string; size: number; mtimeMs: number }): Promise<void> {
    let now;
    try {
      now = await stat(file.absolutePath);
    } catch {
      throw fileMissing();
    }
    assertSameAsScanned(file, now);
  }

  /** Uploads everything; resolves to the report once every file has an outcome. */
  async run(): Promise<BatchReport> {
    const timer = setInterval(() => this.emit('progress', this.#tracker.snapshot()), PROGRESS_INTERVAL_MS);
    this.#shared.running.add(this);
    let lock: BatchLock | undefined;
    try {
      // A hash thread starts while the policy is on its way; it ends again if this batch reads nothing.
      this.#shared.hasher.warm();
      this.#policy = await this.#shared.signer.policy(this.#controller.signal);
      this.#journal = Journal.open(this.#shared.journalDir, this.id);
      lock = lockBatch(this.#shared.journalDir, this.id);
      if (!this.#resumeFrom) {
        const header: BatchHeader = {
          t: 'batch',
          v: 1,
          batchId: this.id,
          root: this.root,
          signer: this.#shared.signerUrl,
          startedAt: this.#startedAt,
          ignore: this.#ignore,
        };
        this.#journal.append(header);
      } else {
        this.#journal.append({ t: 'resume', at: new Date().toISOString() });
      }
      const openProblem = this.#journal.problem;
      if (openProblem) this.emit('warning', openProblem);
      this.#tracker.state = this.#paused ? 'paused' : 'uploading';
      await this.#scanAndUpload();
      await Promise.all(this.#tasks);
      this.#tracker.state = this.#controller.signal.aborted ? 'cancelled' : 'done';
      this.#journal.append({ t: 'end', endedAt: new Date().toISOString() });
      if (this.#journal.problem && this.#journal.problem !== openProblem) this.emit('warning', this.#journal.problem);
      return this.report();
    } finally {
      clearInterval(timer);
      this.#shared.running.delete(this);
      this.#journal?.close();
      lock?.release();
      this.emit('progress', this.#tracker.snapshot());
    }
  }

  /**
   * The report so far (final once `run` resolves). Outcomes are read back from the journal rather than
   * kept in memory during the run, so memory stays flat whatever the number of files.
   */
  report(): BatchReport {
    const files = new Map<string, FileOutcome>();
    if (this.#journal) {
      try {
        for (const outcome of readJournal(this.#journal.file)?.finished.values() ?? [])
          files.set(outcome.path, outcome);
      } catch {
        // Never written (the disk refused it): every outcome is in memory then.
      }
    }
    for (const outcome of this.#unjournalled) files.set(outcome.path, outcome);
    return {
      batchId: this.id,
      root: this.root,
      startedAt: this.#startedAt,
      endedAt: new Date().toISOString(),
      counts: { ...this.#counts },
      bytesUploaded: this.#bytesUploaded,
      files: [...files.values()],
    };
  }

  async #scanAndUpload(): Promise<void> {
    const policy = this.#policy!;
    const groupSize = Math.max(1, Math.min(this.#shared.signBatchSize, policy.maxFilesPerBatch));
    // The first group is small, so the first bytes move at once; groups then double, so each is hashed
    // while the one before it uploads.
    let limit = Math.min(groupSize, FIRST_GROUP);
    let group: PendingFile[] = [];
    // The group hashed last waits here for the queue to run short, while the next one is hashed.
    let waiting: Promise<void> = Promise.resolve();
    // The signer sees one group at a time; names that one file system would merge are caught batch-wide here.
    const names = new DuplicateNames();
    const hashThenSign = async (files: PendingFile[]): Promise<void> => {
      const hashed = await this.#hashGroup(files);
      await waiting;
      waiting = this.#signWhenDue(hashed);
      // Awaited later (next group or the end); marked handled now so a failure meanwhile is not "unhandled".
      waiting.catch(() => undefined);
    };
    for await (const entry of scanFolder(this.root, this.#ignore)) {
      if (entry.kind === 'problem') {
        this.#tracker.addFile(0);
        this.#record({
          path: entry.path,
          status: problemStatus(entry),
          size: 0,
          code: entry.code,
          reason: entry.reason,
        });
        continue;
      }
      this.#tracker.addFile(entry.size);
      const normalised = normaliseRelativePath(entry.path);
      const duplicate = 'path' in normalised ? names.check(normalised.path) : undefined;
      if (duplicate) {
        this.#record({
          path: entry.path,
          status: 'failed',
          size: entry.size,
          code: 'duplicate-path',
          reason: duplicate,
        });
        continue;
      }
      const finished = this.#resumeFrom?.finished.get(entry.path);
      if (finished) {
        this.#record(finished, false);
        continue;
      }
      const multipart = this.#resumeFrom?.multipart.get(entry.path);
      if (multipart && multipart.record.size === entry.size && multipart.record.mtimeMs === entry.mtimeMs) {
        this.#track(this.#multipart({ ...entry, type: contentTypeOf(entry.path) }, multipart.record, multipart.parts));
        continue;
      }
      if (this.#controller.signal.aborted) {
        this.#record(this.#failure(entry, new UploadError('cancelled', 'Cancelled', 'fatal')));
        continue;
      }
      group.push({ ...entry, type: contentTypeOf(entry.path) });
      if (group.length >= limit) {
        await hashThenSign(group);
        group = [];
        limit = Math.min(groupSize, limit * 2);
      }
    }
    if (group.length) await hashThenSign(group);
    await waiting;
    this.#tracker.scanComplete = true;
  }

  #track(task: Promise<void>): void {
    const tracked = task.finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
  }

  /** Hashes one group; a file that cannot be read gets its outcome here and is left out. */
  async #hashGroup(group: PendingFile[]): Promise<PendingFile[]> {
    const policy = this.#policy!;
    const hashed: PendingFile[] = [];
    const small = group.filter((file) => file.size <= SMALL_FILE_BYTES);
    const readingSmall = small.length ? this.#shared.hasher.readSmall(small) : Promise.resolve([]);
    // Four files at a time keep the disk busy without holding a read buffer per file of the group.
    const hashing = new PQueue({ concurrency: 4 });
    await hashing.addAll(
      group
        .filter((file) => file.size > SMALL_FILE_BYTES)
        .map((file) => async () => {
          try {
            const md5 = file.size < policy.multipartThreshold ? await this.#shared.hasher.hashFile(file) : undefined;
            hashed.push(md5 ? { ...file, md5 } : file);
          } catch (error) {
            this.#record(this.#failure(file, readFailure(error)));
          }
        }),
    );
    let reads: SmallRead[];
    try {
      reads = await readingSmall;
    } catch (error) {
      for (const file of small) this.#record(this.#failure(file, readFailure(error)));
      return hashed;
    }
    small.forEach((file, i) => {
      const read = reads[i]!;
      if ('error' in read) this.#record(this.#failure(file, readFailure(read.error)));
      else hashed.push({ ...file, ...read });
    });
    return hashed;
  }

  /** Signs hashed files and queues them once the queue runs short, so their URLs are fresh when used. */
  async #signWhenDue(group: PendingFile[]): Promise<void> {
    const { queue, concurrency } = this.#shared;
    const signal = this.#controller.signal;
    await queue.onSizeLessThan(concurrency * 2);
    if (this.#pauseGate) await this.#pauseGate.wait;
    // Cancelled one by one while they waited: they are never signed.
    for (const file of group.filter((f) => this.#cancelledFiles.has(f.path)))
      this.#record(this.#failure(file, new UploadError('cancelled', 'Cancelled by you', 'fatal')));
    const hashed = group.filter((f) => !this.#cancelledFiles.has(f.path));
    if (!hashed.length) return;
    let results;
    try {
      results = await this.#shared.signer.signFiles(this.id, hashed.map(toRequest), signal);
    } catch (error) {
      for (const file of hashed) this.#record(this.#failure(file, error));
      return;
    }
    hashed.forEach((file, i) => {
      const result = results[i]!;
      if (result.status === 'error') {
        this.#record({
          path: file.path,
          status: result.code === 'exists' ? 'skipped' : 'failed',
          size: file.size,
          code: result.code,
          reason: result.message,
        });
      } else if (result.status === 'put') {
        this.#track(this.#single(file, result));
      } else {
        this.#track(this.#multipart(file, this.#multipartRecord(file, result), new Map()));
      }
    });
  }

  #multipartRecord(file: PendingFile, plan: MultipartResult): MultipartRecord {
    const record: MultipartRecord = {
      t: 'mp',
      path: file.path,
      size: file.size,
      mtimeMs: file.mtimeMs,
      key: plan.key,
      token: plan.token,
      partSize: plan.partSize,
      partCount: plan.partCount,
    };
    this.#journal?.append(record);
    return record;
  }

  /** The signal of one file's transfers: aborted when the file or the whole batch is cancelled. */
  #signalFor(path: string): AbortSignal {
    const controller = new AbortController();
    // A multipart file has up to two parts per connection queued or running, each listened for by its
    // retry loop, its queue slot, its request and the bandwidth limiter: more than Node's default of 10.
    setMaxListeners(LISTENERS_PER_PART * 2 * this.#shared.concurrency, controller.signal);
    if (this.#cancelledFiles.has(path) || this.#controller.signal.aborted) controller.abort();
    this.#fileControllers.set(path, controller);
    return controller.signal;
  }

  /** Signs one file again and insists on the kind of answer expected; a refusal becomes a fatal error. */
  async #signAgain<S extends 'put' | 'multipart'>(
    file: PendingFile,
    status: S,
    signal: AbortSignal,
  ): Promise<Extract<FileResult, { status: S }>> {
    const [again] = await this.#shared.signer.signFiles(this.id, [toRequest(file)], signal);
    if (again?.status === status) return again as Extract<FileResult, { status: S }>;
    if (again?.status === 'error') throw new UploadError(again.code, again.message, 'fatal');
    throw new UploadError('signer-protocol', `Signing \`${file.path}\` again gave no ${status} answer`, 'fatal');
  }

  /** One file in one PUT: re-signed when its URL expired, verified by ETag, journalled. */
  async #single(file: PendingFile, signed: PutResult): Promise<void> {
    const signal = this.#signalFor(file.path);
    let current = signed;
    try {
      for (let resigns = 0; ; resigns++) {
        try {
          const etag = await this.#putWithRetries(file, current, signal);
          if (etag !== `"${file.md5!.hex}"`)
            throw new UploadError('etag-mismatch', `S3 returned ETag ${etag}, expected "${file.md5!.hex}"`, 'fatal');
          this.#record({
            path: file.path,
            status: 'uploaded',
            size: file.size,
            key: current.key,
            md5: file.md5!.hex,
            etag,
          });
          return;
        } catch (error) {
          if (!(error instanceof UploadError) || error.kind !== 'resign' || resigns >= 5) throw error;
          current = await this.#signAgain(file, 'put', signal);
        }
      }
    } catch (error) {
      if (error instanceof UploadError && error.code === 'exists' && (await this.#alreadyThere(file, current))) return;
      this.#record(this.#failure(file, error, current.key));
    } finally {
      this.#fileControllers.delete(file.path);
    }
  }

  async #putWithRetries(file: PendingFile, signed: PutResult, signal: AbortSignal): Promise<string> {
    return withRetries(
      () =>
        this.runInQueue(file.path, signal, async () => {
          this.#tracker.start(file.path, file.size);
          // Bytes read at hash time were checked against the scan then; a streamed file is checked now.
          if (!file.bytes) await this.assertUnchanged(file);
          let sent = 0;
          try {
            return await putRange({
              url: signed.url,
              headers: signed.headers,
              file: file.absolutePath,
              ...(file.bytes ? { bytes: file.bytes } : {}),
              start: 0,
              length: file.size,
              expiresAt: signed.expiresAt,
              agents: this.#shared.agents,
              stallMs: this.#shared.stallMs,
              signal,
              limiter: this.#shared.limiter,
              onBytes: (n) => {
                sent += n;
                this.#tracker.bytes(file.path, n);
              },
            });
          } catch (error) {
            this.#tracker.bytes(file.path, -sent);
            throw error;
          }
        }),
      this.#shared.retry,
      signal,
    );
  }

  /** After a 412: the object is ours from an earlier run when its ETag is our MD5 (then: uploaded). */
  async #alreadyThere(file: PendingFile, signed: PutResult): Promise<boolean> {
    try {
      const [link] = await this.#shared.signer.links([signed.key]);
      const etag = link?.status === 'ok' ? link.etag : undefined;
      if (etag !== `"${file.md5!.hex}"`) return false;
      this.#record({
        path: file.path,
        status: 'uploaded',
        size: file.size,
        key: signed.key,
        md5: file.md5!.hex,
        etag,
        code: 'already-there',
        reason: 'Identical object was already in the bucket',
      });
      return true;
    } catch {
      return false;
    }
  }

  async #multipart(file: PendingFile, record: MultipartRecord, doneParts: Map<number, string>): Promise<void> {
    const signal = this.#signalFor(file.path);
    try {
      await this.gate(file.path, signal);
      this.#tracker.start(file.path, file.size);
      const job = {
        batch: this,
        file,
        record,
        doneParts,
        shared: this.#shared,
        signal,
        tracker: this.#tracker,
        journal: this.#journal,
      };
      let outcome: FileOutcome;
      try {
        outcome = await uploadMultipart(job);
      } catch (error) {
        if (!(error instanceof UploadError) || error.code !== 'no-such-upload') throw error;
        // The upload S3 held for us is gone (aborted or expired while we were down): plan it afresh.
        const again = await this.#signAgain(file, 'multipart', signal);
        this.#tracker.resetBytes(file.path);
        outcome = await uploadMultipart({ ...job, record: this.#multipartRecord(file, again), doneParts: new Map() });
      }
      this.#record(outcome);
    } catch (error) {
      // Cancelled, or the file itself went wrong: the parts on S3 can never complete, so free them.
      // After other failures (retries exhausted) they stay, so a later run can resume from them.
      if (signal.aborted || (error instanceof UploadError && FILE_PROBLEMS.has(error.code)))
        await this.#shared.signer.abort(record.token).catch(() => undefined);
      this.#record(this.#failure(file, error, record.key));
    } finally {
      this.#fileControllers.delete(file.path);
    }
  }
}

function toRequest(file: PendingFile): FileRequest {
  return { path: file.path, size: file.size, type: file.type, ...(file.md5 ? { md5: file.md5.base64 } : {}) };
}
