import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { normaliseDestination, type MultipartResult, type Policy, type PutResult } from '@hoist/protocol';
import type { ConflictChoice } from '../../shared/conflicts';
import { noCounts, type BatchReport, type FileOutcome, type FileStatus } from '../../shared/outcome';
import type { BatchProgress } from '../../shared/progress';
import { startDestination, type DestinationCheck } from '../pipeline/destination-check';
import { feedBatch } from '../pipeline/feed';
import { countFolder } from '../pipeline/scan';
import type { FolderPlan } from '../pipeline/plan';
import type { PendingFile } from '../pipeline/pending-file';
import type { PartDigests } from '../hashing/hash-pool';
import { DEFAULT_IGNORE } from '../pipeline/scan-entries';
import type { EngineResources } from '../resources';
import type { SignTarget } from '../signer/signer-client';
import { withConflictNote } from '../upload/conflict-note';
import { multipartRecord, uploadInParts } from '../upload/multipart';
import type { TransferContext } from '../upload/put-attempt';
import { uploadSingle } from '../upload/single-put';
import { newBatchId } from '../run/batch-id';
import { lockBatch, type BatchLock } from '../run/batch-lock';
import { UploadError } from '../errors';
import { EngineOptionError } from '../options';
import { BatchControls } from '../run/controls';
import { failureOutcome } from '../run/failure-outcome';
import { Journal, journalOutcomes, type BatchHeader, type JournalState, type MultipartRecord } from '../run/journal';
import { ProgressTracker } from '../run/progress-tracker';

/** Events a batch emits. */
export interface BatchEvents {
  progress: [BatchProgress];
  file: [FileOutcome];
  warning: [string];
}

/** What a new batch may be told: its id, ignore rules, whether it follows outside symlinks, where it goes. */
export interface BatchOptions {
  id?: string;
  ignore?: string[];
  followSymlinks?: boolean;
  /** The entries of the root to take (paths from it), for a selection of files and folders; all when absent. */
  only?: string[];
  /** A folder inside the caller's prefix (`clients/acme/2026-12`); the batch's own new folder when absent. */
  destination?: string;
  /** What to do where the destination holds a different file: `skip` (the default), overwrite, rename or fail. */
  onConflict?: ConflictChoice;
  /**
   * The plan to start from (`UploadEngine.plan`): the batch takes its id, destination and files from it,
   * and neither scans, lists the destination nor hashes again what the plan hashed.
   */
  plan?: FolderPlan;
}

const PROGRESS_INTERVAL_MS = 100;

/**
 * A batch's outcomes: those its journal holds (none when it could not be created), then those kept in
 * memory after the journal failed. Once resumed, a file may have been sent again: each is given as it ended last.
 */
function* outcomesOf(
  journal: string | undefined,
  unjournalled: readonly FileOutcome[],
  resumed: boolean,
): Generator<FileOutcome> {
  const journalled = journal && existsSync(journal) ? journalOutcomes(journal) : [];
  if (!resumed) {
    yield* journalled;
    yield* unjournalled;
    return;
  }
  const last = new Map<string, FileOutcome>();
  for (const outcome of journalled) last.set(outcome.path, outcome);
  for (const outcome of unjournalled) last.set(outcome.path, outcome);
  yield* last.values();
}

/**
 * One folder (or file) uploaded as one batch: its life cycle (run, pause, resume, cancel), its journal
 * for resume, and its report file by file. The feed scans, hashes and signs its files; single PUTs and
 * multipart uploads send them.
 */
export class Batch extends EventEmitter<BatchEvents> {
  readonly id: string;
  readonly root: string;
  readonly #resources: EngineResources;
  readonly #ignore: string[];
  readonly #followSymlinks: boolean;
  readonly #only: string[] | undefined;
  readonly #target: SignTarget;
  readonly #onConflict: ConflictChoice;
  readonly #resumeFrom: JournalState | undefined;
  readonly #plan: FolderPlan | undefined;
  readonly #tracker: ProgressTracker;
  readonly #controls: BatchControls;
  readonly #counts: Record<FileStatus, number> = noCounts();
  /** Outcomes the journal does not hold (it could not be written); the rest are read back from it. */
  readonly #unjournalled: FileOutcome[] = [];
  readonly #tasks = new Set<Promise<void>>();
  #journal: Journal | undefined;
  /** What stopped the whole batch: a signer that broke the protocol, so nothing more is sent. */
  #fatal: UploadError | undefined;
  #startedAt = new Date().toISOString();
  #bytesUploaded = 0;

  constructor(root: string, resources: EngineResources, options: BatchOptions & { resumeFrom?: JournalState } = {}) {
    super();
    this.root = root;
    this.#resources = resources;
    this.#resumeFrom = options.resumeFrom;
    const { plan } = options;
    if (plan && !plan.basis.startable)
      throw new EngineOptionError('Expected a plan a batch can start from, got one made with `keepFiles: false`');
    this.#plan = plan;
    this.#ignore = options.resumeFrom?.header.ignore ?? [...(plan?.basis.ignore ?? options.ignore ?? DEFAULT_IGNORE)];
    this.#followSymlinks =
      options.resumeFrom?.header.followSymlinks ?? plan?.basis.followSymlinks ?? options.followSymlinks ?? false;
    const only = options.resumeFrom ? options.resumeFrom.header.only : (plan?.basis.only ?? options.only);
    this.#only = only ? [...only] : undefined;
    this.id = options.resumeFrom?.header.batchId ?? plan?.batchId ?? options.id ?? newBatchId(root);
    const given = options.resumeFrom
      ? options.resumeFrom.header.destination
      : plan
        ? plan.destination
        : options.destination;
    // Kept as given when it is no folder at all: the run then refuses it, naming it.
    const normalised = given === undefined ? undefined : normaliseDestination(given);
    const destination = normalised && 'destination' in normalised ? normalised.destination : given;
    this.#target = { batch: this.id, ...(destination ? { destination } : {}) };
    this.#onConflict = options.resumeFrom?.header.onConflict ?? options.onConflict ?? 'skip';
    if (options.resumeFrom) this.#startedAt = options.resumeFrom.header.startedAt;
    this.#tracker = new ProgressTracker(this.id, root, () => resources.budget.current);
    this.#controls = new BatchControls(resources.queue, resources.budget.ceiling, this.#tracker);
  }

  /** The folder inside the caller's prefix this batch uploads into, or undefined for its own batch folder. */
  get destination(): string | undefined {
    return this.#target.destination;
  }

  /** The latest progress snapshot. */
  progress(): BatchProgress {
    return this.#tracker.snapshot();
  }

  /** Stops starting new transfers of this batch; those in flight finish. */
  pause(): void {
    if (this.#controls.paused || this.#tracker.state === 'done' || this.#tracker.state === 'cancelled') return;
    this.#controls.pause();
    this.#tracker.state = 'paused';
  }

  /** Lets a paused batch go on. */
  resume(): void {
    if (!this.#controls.paused) return;
    this.#controls.resume();
    this.#tracker.state = 'uploading';
  }

  /** Cancels the batch: transfers abort, multipart uploads are aborted on S3, the rest end as cancelled. */
  cancel(): void {
    this.#controls.cancel();
  }

  /** Holds one file back until `resumeFile`; a transfer in flight finishes first. */
  pauseFile(path: string): void {
    this.#controls.pauseFile(path);
  }

  /** Releases a file held by `pauseFile`. */
  resumeFile(path: string): void {
    this.#controls.resumeFile(path);
  }

  /** Cancels one file; it ends as skipped with reason "cancelled". */
  cancelFile(path: string): void {
    this.#controls.cancelFile(path);
  }

  /** Uploads everything; resolves to the report once every file has an outcome. */
  async run(): Promise<BatchReport> {
    const timer = setInterval(() => this.emit('progress', this.#tracker.snapshot()), PROGRESS_INTERVAL_MS);
    this.#resources.running.add(this);
    let lock: BatchLock | undefined;
    try {
      // A hash thread starts while the policy is on its way; it ends again if this batch reads nothing.
      this.#resources.hasher.warm();
      // Totals from the first seconds: a fast count runs beside the scan, which signing paces.
      if (!this.#plan) this.#count();
      const { destination } = this.#target;
      const { signer, hasher, hashCache } = this.#resources;
      const policy = this.#plan?.basis.policy ?? (await signer.policy(this.#controls.signal));
      const planned = this.#plan?.basis.check;
      const { folder, check } = this.#plan
        ? { folder: planned?.destination ?? this.id, check: planned && Promise.resolve(planned) }
        : startDestination(signer, hasher, hashCache, policy, this.id, destination, this.#controls.signal);
      this.#journal = Journal.open(this.#resources.journalDir, this.id);
      lock = lockBatch(this.#resources.journalDir, this.id);
      this.#journal.append(this.#resumeFrom ? { t: 'resume', at: new Date().toISOString() } : this.#header());
      const openProblem = this.#journal.problem;
      if (openProblem) this.emit('warning', openProblem);
      this.#tracker.state = this.#controls.paused ? 'paused' : 'uploading';
      await this.#feed(policy, folder, check);
      this.#tracker.scanComplete = true;
      await Promise.all(this.#tasks);
      if (this.#fatal) throw this.#fatal;
      this.#tracker.state = this.#controls.signal.aborted ? 'cancelled' : 'done';
      this.#journal.append({ t: 'end', endedAt: new Date().toISOString() });
      if (this.#journal.problem && this.#journal.problem !== openProblem) this.emit('warning', this.#journal.problem);
      return this.report();
    } finally {
      clearInterval(timer);
      this.#resources.running.delete(this);
      this.#journal?.close();
      lock?.release();
      this.emit('progress', this.#tracker.snapshot());
    }
  }

  /**
   * The report so far (final once `run` resolves). Its files are read back from the journal each time they
   * are gone through, never kept in memory, so memory stays flat whatever the number of files; a resumed
   * batch, which may have sent a file again, reads them into a map to report each file as it ended last.
   */
  report(): BatchReport {
    const journal = this.#journal?.file;
    const unjournalled = this.#unjournalled;
    const resumed = Boolean(this.#resumeFrom);
    return {
      batchId: this.id,
      root: this.root,
      ...(this.#target.destination ? { destination: this.#target.destination } : {}),
      startedAt: this.#startedAt,
      endedAt: new Date().toISOString(),
      counts: { ...this.#counts },
      bytesUploaded: this.#bytesUploaded,
      files: { [Symbol.iterator]: () => outcomesOf(journal, unjournalled, resumed) },
    };
  }

  #header(): BatchHeader {
    return {
      t: 'batch',
      v: 1,
      batchId: this.id,
      root: this.root,
      signer: this.#resources.signerId,
      startedAt: this.#startedAt,
      ignore: this.#ignore,
      ...(this.#followSymlinks ? { followSymlinks: true } : {}),
      ...(this.#only ? { only: this.#only } : {}),
      ...(this.#target.destination ? { destination: this.#target.destination } : {}),
      ...(this.#onConflict === 'skip' ? {} : { onConflict: this.#onConflict }),
    };
  }

  /** Counts the folder ahead of the scan, for the totals; a count that fails leaves them to the scan. */
  #count(): void {
    countFolder(this.root, this.#ignore, this.#controls.signal, this.#only).then(
      ({ files, bytes }) => this.#tracker.counted(files, bytes),
      () => undefined,
    );
  }

  /** Takes the feed's events as they come: each file joins, ends, or starts its upload. */
  async #feed(policy: Policy, folder: string, check: Promise<DestinationCheck> | undefined): Promise<void> {
    const events = feedBatch({
      target: this.#target,
      folder,
      check,
      onConflict: this.#onConflict,
      root: this.root,
      ignore: this.#ignore,
      scan: { followSymlinks: this.#followSymlinks, ...(this.#only ? { only: this.#only } : {}) },
      policy,
      resumeFrom: this.#resumeFrom,
      plan: this.#plan && {
        files: this.#plan.basis.files,
        ended: [...this.#plan.rejected, ...this.#plan.failed, ...this.#plan.skipped, ...this.#plan.alreadyThere],
      },
      resources: this.#resources,
      controls: this.#controls,
    });
    for await (const event of events) {
      if (event.kind === 'added') {
        this.#tracker.addFile(event.size);
        continue;
      }
      // A plan's files all join before any ends: from here its totals are whole.
      if (this.#plan) this.#tracker.scanComplete = true;
      if (event.kind === 'ended') this.#record(event.outcome);
      else if (event.kind === 'finished-before') {
        if (event.outcome.status === 'uploaded') this.#tracker.doneBefore(event.outcome.path, event.outcome.size);
        this.#record(event.outcome, false);
      } else if (event.kind === 'failed') this.#fail(event.file, event.error);
      else if (event.kind === 'single') this.#track(this.#single(event.file, event.signed));
      else this.#track(this.#multipart(event.file, event.plan, event.doneParts, event.digests));
    }
  }

  #track(task: Promise<void>): void {
    const tracked = task.finally(() => this.#tasks.delete(tracked));
    this.#tasks.add(tracked);
  }

  #record(outcome: FileOutcome, journal = true): void {
    this.#counts[outcome.status] += 1;
    this.#tracker.finish(outcome.path, outcome.status, outcome.size);
    if (outcome.status === 'uploaded') this.#bytesUploaded += outcome.size;
    if (journal) this.#journal?.append({ t: 'file', outcome });
    if (!this.#journal || this.#journal.problem) this.#unjournalled.push(outcome);
    this.emit('file', outcome);
  }

  /** A file failed; a signer that broke the protocol stops the whole batch at once, nothing more is sent. */
  #fail(file: PendingFile, error: unknown, key?: string): void {
    if (error instanceof UploadError && error.code === 'signer-protocol' && !this.#fatal) {
      this.#fatal = error;
      this.#controls.cancel();
    }
    this.#record(failureOutcome(file, error, key));
  }

  #context(path: string): TransferContext {
    const signal = this.#controls.signalFor(path);
    return { controls: this.#controls, resources: this.#resources, tracker: this.#tracker, signal };
  }

  /** Runs one file's upload to its outcome: uploaded, or why not. */
  async #upload(file: PendingFile, key: string, upload: (context: TransferContext) => Promise<FileOutcome>) {
    try {
      this.#record(withConflictNote(file, await upload(this.#context(file.path))));
    } catch (error) {
      this.#fail(file, error, key);
    } finally {
      this.#controls.release(file.path);
    }
  }

  #single(file: PendingFile, signed: PutResult): Promise<void> {
    return this.#upload(file, signed.key, (context) => uploadSingle(context, { target: this.#target, file, signed }));
  }

  #multipart(
    file: PendingFile,
    plan: MultipartResult | MultipartRecord,
    doneParts = new Map<number, string>(),
    digests?: PartDigests,
  ) {
    const record = 't' in plan ? plan : multipartRecord(file, plan, this.#journal);
    return this.#upload(file, record.key, (context) =>
      uploadInParts(context, { target: this.#target, file, record, doneParts, journal: this.#journal, digests }),
    );
  }
}
