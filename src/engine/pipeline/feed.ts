import { EventEmitter, on } from 'node:events';
import PQueue from 'p-queue';
import { DuplicateNames, type MultipartResult, type Policy, type PutResult } from '@hoist/protocol';
import type { ConflictChoice } from '../../shared/conflicts';
import { isRefusal, type FileOutcome } from '../../shared/outcome';
import type { BatchControls } from '../run/controls';
import type { JournalState, MultipartRecord } from '../run/journal';
import { errors, readFailure } from '../errors';
import { md5Of, SMALL_FILE_BYTES } from '../hashing/file-hash';
import type { PartDigests, SmallRead } from '../hashing/hash-pool';
import type { EngineResources } from '../resources';
import type { SignTarget } from '../signer/signer-client';
import { admit, settle, type Rules } from './decisions';
import type { DestinationCheck, Verdict } from './destination-check';
import { hashFirstPartsAhead, keepIfPlanned } from './hash-ahead';
import { toRequest, type PendingFile } from './pending-file';
import type { PlannedFile } from './plan';
import { scanFolder } from './scan';
import type { ScannedFile, ScanOptions, ScanProblem } from './scan-entries';

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
  /** True once the first group went to be signed: only its round trip is handed to the budget. */
  timed: boolean;
}

/** What the feed says of each file, in the order it happens: it joined, it ended, or it is ready to upload. */
export type FeedEvent =
  /** A file joined the batch, with its size. */
  | { kind: 'added'; size: number }
  /** A file ended before any upload: a scan problem, unreadable, refused, cancelled, a duplicate. */
  | { kind: 'ended'; outcome: FileOutcome }
  /** A file the journal of the run being resumed lists as finished. */
  | { kind: 'finished-before'; outcome: FileOutcome }
  /** A failed file, with the error that ended it. */
  | { kind: 'failed'; file: PendingFile; error: unknown }
  /** A file signed for one PUT. */
  | { kind: 'single'; file: PendingFile; signed: PutResult }
  /** A file planned in parts, newly or from the journal with the parts it lists; its parts' MD5s when hashing ahead. */
  | {
      kind: 'multipart';
      file: PendingFile;
      plan: MultipartResult | MultipartRecord;
      doneParts?: Map<number, string> | undefined;
      digests?: PartDigests | undefined;
    };

/** Where the feed's steps hand each file; it becomes one event. */
interface FeedSink {
  added(size: number): void;
  ended(outcome: FileOutcome): void;
  finishedBefore(outcome: FileOutcome): void;
  failed(file: PendingFile, error: unknown): void;
  single(file: PendingFile, signed: PutResult): void;
  multipart(
    file: PendingFile,
    plan: MultipartResult | MultipartRecord,
    doneParts?: Map<number, string>,
    digests?: PartDigests,
  ): void;
}

/** What one batch's feed works from. */
export interface FeedOptions {
  target: SignTarget;
  /** The folder the files go to: the destination, or the batch's own. */
  folder: string;
  /**
   * What the destination holds, when the batch has one (listed while the scan runs): files already there
   * end here, conflicts as chosen.
   */
  check: Promise<DestinationCheck> | undefined;
  onConflict: ConflictChoice;
  root: string;
  ignore: readonly string[];
  scan: ScanOptions;
  policy: Policy;
  resumeFrom: JournalState | undefined;
  /** A plan the batch starts from: its files and outcomes, instead of a scan. */
  plan: { files: readonly PlannedFile[]; ended: readonly FileOutcome[] } | undefined;
  resources: EngineResources;
  controls: BatchControls;
}

/** The feed's options with the sink its steps hand files to. */
interface Feeding extends FeedOptions {
  sink: FeedSink;
}

/**
 * Scans a batch's folder (or takes its plan's files) as a stream and yields what becomes of each file, in
 * one direction: from the scan through the decisions, hashing and signing, to the uploads the batch
 * starts. Files are hashed in groups off the main thread and signed just in time (when the queue runs
 * short, so URLs are fresh when used), in groups that start small, so the first bytes move at once, and
 * double, so each is hashed while the ones before it are signed and upload. Up to four groups are being
 * signed at once, so a signer far away never leaves the connections idle. Ends once every file has been
 * handed on; throws what stopped it.
 */
export function feedBatch(options: FeedOptions): AsyncIterableIterator<FeedEvent> {
  const events = new EventEmitter();
  // Created before the first event, so none is missed; it buffers what the batch has not taken yet.
  const stream = on(events, 'event', { close: ['end'] });
  const event = (e: FeedEvent): void => void events.emit('event', e);
  const sink: FeedSink = {
    added: (size) => event({ kind: 'added', size }),
    ended: (outcome) => event({ kind: 'ended', outcome }),
    finishedBefore: (outcome) => event({ kind: 'finished-before', outcome }),
    failed: (file, error) => event({ kind: 'failed', file, error }),
    single: (file, signed) => event({ kind: 'single', file, signed }),
    multipart: (file, plan, doneParts, digests) => event({ kind: 'multipart', file, plan, doneParts, digests }),
  };
  feed({ ...options, sink }).then(
    () => events.emit('end'),
    (error: unknown) => events.emit('error', error),
  );
  return (async function* () {
    for await (const [next] of stream) yield next as FeedEvent;
  })();
}

/** The feed's steps, handing each file to the sink. */
async function feed(options: Feeding): Promise<void> {
  const { policy, resources } = options;
  const groupSize = Math.max(1, Math.min(resources.signBatchSize, policy.maxFilesPerBatch));
  let limit = Math.min(groupSize, FIRST_GROUP);
  let group: PlannedFile[] = [];
  // Hashed groups wait here for the queue to run short; the scan waits while they are all busy.
  const signing = new PQueue({ concurrency: SIGNS_IN_FLIGHT });
  const lookahead: Lookahead = { signing: 0, turn: Promise.resolve(), timed: false };
  let unexpected: { error: unknown } | undefined;
  // Settled with the destination first, so a file already there is never read (its MD5 comes from the
  // hash cache, or one read that the upload reuses); only files that will go are hashed for their PUT.
  const hashThenSign = async (items: PlannedFile[]): Promise<void> => {
    const toSend = options.check ? await settleWithDestination(options, await options.check, items) : items;
    const toSign = (await hashGroup(options, toSend)).map((item) => item.file);
    await signing.onSizeLessThan(1);
    signing.add(() => signWhenDue(options, toSign, lookahead)).catch((error: unknown) => (unexpected ??= { error }));
  };
  for await (const item of options.plan ? fromPlan(options, options.plan) : fromScan(options)) {
    group.push(item);
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
 * The scanned files that go on to be hashed and signed. The rest end here: decided (a scan problem, a
 * duplicate name, refused by the policy), finished in the journal of the run being resumed, resuming
 * their multipart upload, or cancelled with the batch.
 */
async function* fromScan(options: Feeding): AsyncGenerator<PlannedFile> {
  // The signer sees one group at a time; names that one file system would merge are caught batch-wide here.
  const names = new DuplicateNames();
  const rules: Rules = { policy: options.policy, folder: options.folder };
  for await (const entry of scanFolder(options.root, options.ignore, options.scan)) {
    const item = fromScanned(options, names, rules, entry);
    if (item) yield item;
  }
}

/** One scanned entry through the batch's decisions; returned when it goes on to be hashed and signed. */
function fromScanned(
  options: Feeding,
  names: DuplicateNames,
  rules: Rules,
  entry: ScannedFile | ScanProblem,
): PlannedFile | undefined {
  const { sink, resumeFrom } = options;
  sink.added(entry.kind === 'file' ? entry.size : 0);
  const admitted = admit(entry, names, rules);
  const duplicate = 'end' in admitted && admitted.end.code === 'duplicate-path';
  const finished = entry.kind === 'file' && !duplicate ? resumeFrom?.finished.get(entry.path) : undefined;
  if (finished) {
    sink.finishedBefore(finished);
    return undefined;
  }
  if ('end' in admitted) {
    sink.ended(admitted.end);
    return undefined;
  }
  const multipart = resumeFrom?.multipart.get(entry.path);
  if (multipart && multipart.record.size === admitted.file.size && multipart.record.mtimeMs === admitted.file.mtimeMs) {
    sink.multipart(admitted.file, multipart.record, multipart.parts);
    return undefined;
  }
  if (options.controls.signal.aborted) {
    sink.failed(admitted.file, errors.cancelled());
    return undefined;
  }
  return admitted;
}

/**
 * The files of the plan the batch starts from. Every file joins the batch at the first step, so its
 * totals are whole from the start, and what the plan already decided ends at once.
 */
function* fromPlan(options: Feeding, plan: NonNullable<Feeding['plan']>): Generator<PlannedFile> {
  const { sink } = options;
  for (const outcome of plan.ended) sink.added(outcome.size);
  for (const item of plan.files) sink.added(item.file.size);
  for (const outcome of plan.ended) sink.ended(outcome);
  for (const item of plan.files) {
    if (options.controls.signal.aborted) sink.failed(item.file, errors.cancelled());
    else yield item;
  }
}

/**
 * Hashes one group (a file with its MD5 from the plan is only read if small), keeping each MD5 in the
 * hash cache so a push again reads nothing; a file that cannot be read ends here.
 */
async function hashGroup({ policy, resources, sink }: Feeding, group: PlannedFile[]): Promise<PlannedFile[]> {
  const { hasher, hashCache } = resources;
  const hashed: PlannedFile[] = [];
  const small = group.filter(({ file }) => file.size <= SMALL_FILE_BYTES);
  const readingSmall = small.length ? hasher.readSmall(small.map((item) => item.file)) : Promise.resolve([]);
  // Four files at a time keep the disk busy without holding a read buffer per file of the group.
  const hashing = new PQueue({ concurrency: 4 });
  await hashing.addAll(
    group
      .filter(({ file }) => file.size > SMALL_FILE_BYTES)
      .map((item) => async () => {
        const { file } = item;
        try {
          const whole = async () => (await hasher.hashFile(file)).hex;
          const md5 =
            file.size < policy.multipartThreshold
              ? (file.md5 ?? md5Of(await hashCache.digest(file.absolutePath, 'md5', whole)))
              : undefined;
          hashed.push(md5 ? { ...item, file: { ...file, md5 } } : item);
        } catch (error) {
          sink.failed(file, readFailure(error));
        }
      }),
  );
  let reads: SmallRead[];
  try {
    reads = await readingSmall;
  } catch (error) {
    for (const { file } of small) sink.failed(file, readFailure(error));
    return hashed;
  }
  small.forEach((item, i) => {
    const read = reads[i]!;
    if ('error' in read) sink.failed(item.file, readFailure(read.error));
    else {
      // The file's identity when the thread opened it: the entry is kept under what was read, never after.
      const { identity, md5, bytes } = read;
      hashCache.set(identity, 'md5', md5.hex);
      hashed.push({ ...item, file: { ...item.file, md5, bytes } });
    }
  });
  return hashed;
}

/** A file about to be renamed: the copy beside it that already holds its content (a rename run again), else `verdict`. */
async function renamedCopyOr(
  check: DestinationCheck,
  { file, path }: PlannedFile,
  verdict: Verdict | { error: unknown },
): Promise<Verdict | { error: unknown }> {
  if ('error' in verdict || verdict.kind !== 'different') return verdict;
  try {
    return (await check.findCopy(verdict.md5 ? { ...file, md5: verdict.md5 } : file, path)) ?? verdict;
  } catch (error) {
    return { error };
  }
}

/**
 * Settles files by what the destination holds (the plan's verdict when the batch starts from one,
 * else one comparison now): files already there end as skipped, conflicts as the batch chose (skipped,
 * failed, or on to the signer to replace or rename). Returns the files to sign, in order.
 */
async function settleWithDestination(
  { sink, onConflict }: Feeding,
  check: DestinationCheck,
  items: PlannedFile[],
): Promise<PlannedFile[]> {
  const unjudged = items.filter((item) => !item.verdict);
  const judged = new Map((await check.judgeMany(unjudged)).map((verdict, i) => [unjudged[i]!, verdict]));
  const verdicts = await Promise.all(
    items.map((item) => {
      const verdict = item.verdict ?? judged.get(item)!;
      return onConflict === 'rename' ? renamedCopyOr(check, item, verdict) : verdict;
    }),
  );
  const toSend: PlannedFile[] = [];
  for (const [i, item] of items.entries()) {
    const settled = settle(item.file, verdicts[i]!, onConflict);
    if ('send' in settled) toSend.push({ file: settled.send, path: item.path });
    else if ('fail' in settled) sink.failed(item.file, settled.fail);
    else if ('end' in settled) sink.ended(settled.end);
  }
  return toSend;
}

/**
 * Waits, in turn with the other groups, until fewer than 4 files per connection are signed ahead (queued
 * or being signed), or none is queued, so URLs stay fresh and the lookahead grows with the connections.
 * The room is measured again at each dequeue: fixed for the whole wait, a room taken while the budget
 * was low or other groups were being signed held the next group back until the queue ran dry.
 */
async function whenDue(resources: EngineResources, group: PendingFile[], lookahead: Lookahead): Promise<void> {
  const { queue, budget } = resources;
  const due = lookahead.turn.then(async () => {
    while (queue.size >= Math.max(1, budget.current * AHEAD_PER_CONNECTION - lookahead.signing))
      await nextChange(queue);
    lookahead.signing += group.length;
  });
  lookahead.turn = due;
  await due;
}

/** Resolves at the queue's next dequeue or completion (a clear() emits one), as p-queue's own waits do. */
function nextChange(queue: PQueue): Promise<void> {
  return new Promise((resolve) => {
    const changed = (): void => {
      queue.off('active', changed).off('next', changed);
      resolve();
    };
    queue.on('active', changed).on('next', changed);
  });
}

/** Signs hashed files and hands them to uploads once they are due, so their URLs are fresh. */
async function signWhenDue(options: Feeding, group: PendingFile[], lookahead: Lookahead): Promise<void> {
  const { resources } = options;
  await whenDue(resources, group, lookahead);
  // The first group goes alone, most often on the connection the policy came by: its answer times the
  // path (a new connection's handshake or a slow signer only make the climb start higher, up to its max),
  // and its files tell whether round trips, not bytes, will hold the uploads.
  const timed = !lookahead.timed;
  lookahead.timed = true;
  const meanBytes = (): number => group.reduce((sum, file) => sum + file.size, 0) / group.length;
  try {
    await signDue(options, group, timed ? (ms) => resources.budget.roundTrip(ms, meanBytes()) : undefined);
  } finally {
    lookahead.signing -= group.length;
  }
}

/**
 * Signs a group that is due and hands each file on: to an upload, or to its end with the signer's reason;
 * `timed` hears how long the signer took to answer.
 */
async function signDue(options: Feeding, group: PendingFile[], timed?: (ms: number) => void): Promise<void> {
  const { controls, resources, sink } = options;
  await controls.whilePaused();
  // Cancelled one by one while they waited: they are never signed.
  for (const file of group.filter((f) => controls.isCancelled(f.path))) sink.failed(file, errors.cancelled());
  const hashed = group.filter((f) => !controls.isCancelled(f.path));
  if (!hashed.length) return;
  const ahead = hashFirstPartsAhead(resources.hasher, hashed, options.policy);
  let results;
  try {
    const asked = performance.now();
    results = await resources.signer.signFiles(options.target, hashed.map(toRequest), controls.signal);
    timed?.(performance.now() - asked);
  } catch (error) {
    ahead?.digests.stop();
    for (const file of hashed) sink.failed(file, error);
    return;
  }
  const kept = ahead && keepIfPlanned(ahead, hashed, results);
  hashed.forEach((file, i) => {
    const result = results[i]!;
    if (result.status === 'error') {
      sink.ended({
        path: file.path,
        status: result.code === 'exists' ? 'skipped' : isRefusal(result.code) ? 'rejected' : 'failed',
        size: file.size,
        code: result.code,
        reason: result.message,
      });
    } else if (result.status === 'put') sink.single(file, result);
    else sink.multipart(file, result, undefined, file === ahead?.file ? kept : undefined);
  });
}
