import PQueue from 'p-queue';
import {
  DuplicateNames,
  normaliseRelativePath,
  type MultipartResult,
  type Policy,
  type PutResult,
} from '@hoist/protocol';
import type { ConflictChoice } from '../../shared/conflicts';
import type { FileOutcome } from '../../shared/outcome';
import type { BatchControls } from '../batch/controls';
import type { JournalState, MultipartRecord } from '../batch/journal';
import { errors, readFailure } from '../errors';
import { SMALL_FILE_BYTES } from '../hashing/file-hash';
import type { SmallRead } from '../hashing/hash-pool';
import type { EngineResources } from '../resources';
import type { SignTarget } from '../signer/signer-client';
import { contentTypeOf } from './content-type';
import type { DestinationCheck, Verdict } from './destination-check';
import { toRequest, type PendingFile } from './pending-file';
import { problemStatus, scanFolder, type ScannedFile, type ScanOptions, type ScanProblem } from './scan';

/** Files in the first sign group. */
const FIRST_GROUP = 4;
/**
 * Sign requests in flight at once. One at a time, a far signer is the limit: 100 files per round trip
 * (120 ms, plus the uplink's queue) is ~270 files/s, under what the connections could send; four keep
 * the queue fed while each waits for its answer.
 */
const SIGNS_IN_FLIGHT = 4;
/** Files signed ahead (queued, or in a sign request) per connection: enough to cover a sign round trip. */
const AHEAD_PER_CONNECTION = 4;

/** The files signed ahead of the uploads, and the one turn groups take to decide they are due. */
interface Lookahead {
  /** Files in sign requests now, not yet queued. */
  signing: number;
  /** Settles when the group before has been let go to the signer. */
  turn: Promise<void>;
}

/** Where the feed hands each file: to an end, or to an upload. */
export interface FeedSink {
  /** A file joined the batch, with its size. */
  added(size: number): void;
  /** A file ended before any upload: a scan problem, unreadable, refused, cancelled, a duplicate. */
  ended(outcome: FileOutcome): void;
  /** A file the journal of the run being resumed lists as finished. */
  finishedBefore(outcome: FileOutcome): void;
  /** A failed file, with the error that ended it. */
  failed(file: PendingFile, error: unknown): void;
  /** A file signed for one PUT. */
  single(file: PendingFile, signed: PutResult): void;
  /** A file planned in parts, newly or from the journal with the parts it lists. */
  multipart(file: PendingFile, plan: MultipartResult | MultipartRecord, doneParts?: Map<number, string>): void;
}

/** What one batch's feed works from. */
export interface FeedOptions {
  target: SignTarget;
  /** What the destination holds, when the batch has one: files already there end here, conflicts as chosen. */
  check: DestinationCheck | undefined;
  onConflict: ConflictChoice;
  root: string;
  ignore: readonly string[];
  scan: ScanOptions;
  policy: Policy;
  resumeFrom: JournalState | undefined;
  resources: EngineResources;
  controls: BatchControls;
  sink: FeedSink;
}

/**
 * Scans a batch's folder as a stream and feeds its files to uploads: hashed in groups off the main
 * thread, signed just in time (when the queue runs short, so URLs are fresh when used), in groups that
 * start small, so the first bytes move at once, and double, so each is hashed while the ones before it
 * are signed and upload. Up to four groups are being signed at once, so a signer far away never leaves
 * the connections idle. Resolves once every file has been handed on.
 */
export async function feedBatch(options: FeedOptions): Promise<void> {
  const { policy, resources } = options;
  const groupSize = Math.max(1, Math.min(resources.signBatchSize, policy.maxFilesPerBatch));
  let limit = Math.min(groupSize, FIRST_GROUP);
  let group: PendingFile[] = [];
  // Hashed groups wait here for the queue to run short; the scan waits while they are all busy.
  const signing = new PQueue({ concurrency: SIGNS_IN_FLIGHT });
  const lookahead: Lookahead = { signing: 0, turn: Promise.resolve() };
  let unexpected: { error: unknown } | undefined;
  // The signer sees one group at a time; names that one file system would merge are caught batch-wide here.
  const names = new DuplicateNames();
  const hashThenSign = async (files: PendingFile[]): Promise<void> => {
    const hashed = await hashGroup(options, files);
    const toSign = options.check ? await settleWithDestination(options, options.check, hashed) : hashed;
    await signing.onSizeLessThan(1);
    signing.add(() => signWhenDue(options, toSign, lookahead)).catch((error: unknown) => (unexpected ??= { error }));
  };
  for await (const entry of scanFolder(options.root, options.ignore, options.scan)) {
    const file = admit(options, names, entry);
    if (!file) continue;
    group.push(file);
    if (group.length >= limit) {
      await hashThenSign(group);
      group = [];
      limit = Math.min(groupSize, limit * 2);
    }
  }
  if (group.length) await hashThenSign(group);
  await signing.onIdle();
  if (unexpected) throw unexpected.error;
}

/**
 * Decides what becomes of one scanned entry: it ends here (a problem, a duplicate name, finished in the
 * journal, or the batch is cancelled), resumes its multipart upload, or is returned to be hashed and signed.
 */
function admit(options: FeedOptions, names: DuplicateNames, entry: ScannedFile | ScanProblem): PendingFile | undefined {
  const { sink, resumeFrom } = options;
  if (entry.kind === 'problem') {
    sink.added(0);
    sink.ended({ path: entry.path, status: problemStatus(entry), size: 0, code: entry.code, reason: entry.reason });
    return undefined;
  }
  sink.added(entry.size);
  const normalised = normaliseRelativePath(entry.path);
  const duplicate = 'path' in normalised ? names.check(normalised.path) : undefined;
  if (duplicate) {
    sink.ended({ path: entry.path, status: 'failed', size: entry.size, code: 'duplicate-path', reason: duplicate });
    return undefined;
  }
  const finished = resumeFrom?.finished.get(entry.path);
  if (finished) {
    sink.finishedBefore(finished);
    return undefined;
  }
  const file: PendingFile = { ...entry, type: contentTypeOf(entry.path) };
  const multipart = resumeFrom?.multipart.get(entry.path);
  if (multipart && multipart.record.size === entry.size && multipart.record.mtimeMs === entry.mtimeMs) {
    sink.multipart(file, multipart.record, multipart.parts);
    return undefined;
  }
  if (options.controls.signal.aborted) {
    sink.failed(file, errors.cancelled());
    return undefined;
  }
  return file;
}

/** Hashes one group; a file that cannot be read ends here and is left out. */
async function hashGroup({ policy, resources, sink }: FeedOptions, group: PendingFile[]): Promise<PendingFile[]> {
  const hashed: PendingFile[] = [];
  const small = group.filter((file) => file.size <= SMALL_FILE_BYTES);
  const readingSmall = small.length ? resources.hasher.readSmall(small) : Promise.resolve([]);
  // Four files at a time keep the disk busy without holding a read buffer per file of the group.
  const hashing = new PQueue({ concurrency: 4 });
  await hashing.addAll(
    group
      .filter((file) => file.size > SMALL_FILE_BYTES)
      .map((file) => async () => {
        try {
          const md5 = file.size < policy.multipartThreshold ? await resources.hasher.hashFile(file) : undefined;
          hashed.push(md5 ? { ...file, md5 } : file);
        } catch (error) {
          sink.failed(file, readFailure(error));
        }
      }),
  );
  let reads: SmallRead[];
  try {
    reads = await readingSmall;
  } catch (error) {
    for (const file of small) sink.failed(file, readFailure(error));
    return hashed;
  }
  small.forEach((file, i) => {
    const read = reads[i]!;
    if ('error' in read) sink.failed(file, readFailure(read.error));
    else hashed.push({ ...file, ...read });
  });
  return hashed;
}

/** The outcome of a file whose key holds different content, when the batch skips or fails on conflicts. */
function conflictOutcome(file: PendingFile, verdict: Extract<Verdict, { kind: 'different' }>, choice: 'skip' | 'fail') {
  const then =
    choice === 'skip'
      ? 'kept it; choose overwrite or rename to send this file'
      : 'not sent: the batch fails on conflicts';
  return {
    path: file.path,
    status: choice === 'skip' ? 'skipped' : 'failed',
    size: file.size,
    key: verdict.key,
    code: 'conflict',
    reason: `${verdict.why}; ${then}`,
  } satisfies FileOutcome;
}

/**
 * Compares hashed files with the destination: files already there end as skipped, conflicts as the
 * batch chose (skipped, failed, or on to the signer to replace or rename). Returns the files to sign, in order.
 */
async function settleWithDestination(
  { sink, onConflict }: FeedOptions,
  check: DestinationCheck,
  files: PendingFile[],
): Promise<PendingFile[]> {
  const toSign: PendingFile[] = [];
  // A path that is no key is left to the signer, which refuses it with the reason.
  const comparable = files.flatMap((file) => {
    const normalised = normaliseRelativePath(file.path);
    if ('path' in normalised) return [{ file, path: normalised.path }];
    toSign.push(file);
    return [];
  });
  const verdicts = await check.judgeMany(comparable);
  comparable.forEach(({ file }, i) => {
    const verdict = verdicts[i]!;
    if ('error' in verdict) sink.failed(file, readFailure(verdict.error));
    else if (verdict.kind === 'absent') toSign.push(file);
    else if (verdict.kind === 'same') {
      sink.ended({
        path: file.path,
        status: 'skipped',
        size: file.size,
        key: verdict.key,
        etag: verdict.etag,
        ...(verdict.md5 ? { md5: verdict.md5.hex } : {}),
        code: 'already-there',
        reason: `Already there: \`${verdict.key}\` holds the same content`,
      });
    } else if (onConflict === 'skip' || onConflict === 'fail') sink.ended(conflictOutcome(file, verdict, onConflict));
    else toSign.push({ ...file, conflict: { choice: onConflict, key: verdict.key } });
  });
  return toSign;
}

/**
 * Waits, in turn with the other groups, until fewer than 4 files per connection are signed ahead (queued
 * or being signed), so URLs stay fresh and the lookahead grows with the connections.
 */
async function whenDue(resources: EngineResources, group: PendingFile[], lookahead: Lookahead): Promise<void> {
  const due = lookahead.turn.then(async () => {
    const room = resources.budget.current * AHEAD_PER_CONNECTION - lookahead.signing;
    await resources.queue.onSizeLessThan(Math.max(1, room));
    lookahead.signing += group.length;
  });
  lookahead.turn = due;
  await due;
}

/** Signs hashed files and hands them to uploads once they are due, so their URLs are fresh. */
async function signWhenDue(options: FeedOptions, group: PendingFile[], lookahead: Lookahead): Promise<void> {
  const { resources } = options;
  await whenDue(resources, group, lookahead);
  try {
    await signDue(options, group);
  } finally {
    lookahead.signing -= group.length;
  }
}

/** Signs a group that is due and hands each file on: to an upload, or to its end with the signer's reason. */
async function signDue(options: FeedOptions, group: PendingFile[]): Promise<void> {
  const { controls, resources, sink } = options;
  await controls.whilePaused();
  // Cancelled one by one while they waited: they are never signed.
  for (const file of group.filter((f) => controls.isCancelled(f.path))) sink.failed(file, errors.cancelled());
  const hashed = group.filter((f) => !controls.isCancelled(f.path));
  if (!hashed.length) return;
  let results;
  try {
    results = await resources.signer.signFiles(options.target, hashed.map(toRequest), controls.signal);
  } catch (error) {
    for (const file of hashed) sink.failed(file, error);
    return;
  }
  hashed.forEach((file, i) => {
    const result = results[i]!;
    if (result.status === 'error') {
      sink.ended({
        path: file.path,
        status: result.code === 'exists' ? 'skipped' : 'failed',
        size: file.size,
        code: result.code,
        reason: result.message,
      });
    } else if (result.status === 'put') sink.single(file, result);
    else sink.multipart(file, result);
  });
}
