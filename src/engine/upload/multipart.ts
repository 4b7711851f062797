import type { MultipartResult } from '@hoist/protocol';
import PQueue from 'p-queue';
import type { FileOutcome } from '../../shared/outcome';
import type { Journal, MultipartRecord } from '../run/journal';
import { errors, UploadError } from '../errors';
import { fileIdentity } from '../hashing/file-identity';
import { multipartEtag, type Md5 } from '../hashing/file-hash';
import type { PartDigests } from '../hashing/hash-pool';
import { assertUnchanged } from '../pipeline/file-check';
import type { PendingFile } from '../pipeline/pending-file';
import { putUntilAccepted, type SignedUrl, type TransferContext } from './put-attempt';
import type { SignTarget } from '../signer/signer-client';
import { signFileAgain } from './sign-again';

/** One file to send in parts: its plan (as journalled) and the parts a journal says are uploaded. */
export interface MultipartJob {
  target: SignTarget;
  file: PendingFile;
  record: MultipartRecord;
  /** Parts already uploaded (from the journal): part number to hex MD5. */
  doneParts: Map<number, string>;
  journal: Journal | undefined;
  /** The parts' MD5s, hashing since before the signer planned the file, at the plan's part size. */
  digests?: PartDigests | undefined;
}

/** What the parts of one upload went through, for its outcome. */
interface PartsTally {
  damagedInTransit: number;
}

/**
 * Parts of one file sent at once, as rclone sends 4 and the AWS CLI 10. More only made the store work
 * harder for the same bytes: a 1 GiB file on loopback Ceph took 8.6 s at 4 where 16 to 32 took 9.5 s, the
 * gateway spending ~1.3 s more CPU; other files still take the rest of the budget.
 */
const PARTS_IN_FLIGHT = 4;

/** Failures that come from the file, not the network: its multipart upload can never complete. */
const FILE_PROBLEMS = new Set(['changed-since-scan', 'changed-during-upload', 'file-missing', 'etag-mismatch']);

/** The journal record of a multipart plan, appended to the journal. */
export function multipartRecord(
  file: PendingFile,
  plan: MultipartResult,
  journal: Journal | undefined,
): MultipartRecord {
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
  journal?.append(record);
  return record;
}

const partRange = (record: MultipartRecord, n: number) => {
  const start = (n - 1) * record.partSize;
  return { start, length: Math.min(record.partSize, record.size - start) };
};

/** Which journalled parts S3 really holds with the same ETag; a gone upload must be planned again. */
async function confirmDoneParts(context: TransferContext, job: MultipartJob): Promise<void> {
  if (!job.doneParts.size) return;
  let stored;
  try {
    stored = await context.resources.signer.listParts(job.record.token, context.signal);
  } catch (error) {
    if (error instanceof UploadError && (error.code === 'no-such-upload' || error.code === 'invalid-upload-token')) {
      throw errors.noSuchUpload();
    }
    throw error;
  }
  const held = new Map(stored.map((p) => [p.partNumber, p.etag]));
  for (const [n, md5] of job.doneParts) if (held.get(n) !== `"${md5}"`) job.doneParts.delete(n);
}

/** Uploads one part, signed again when its URL expires; journals it once S3 holds it. */
async function uploadPart(
  context: TransferContext,
  job: MultipartJob,
  tally: PartsTally,
  n: number,
  md5: Md5,
  signed: SignedUrl,
): Promise<void> {
  const { start, length } = partRange(job.record, n);
  const { damagedInTransit } = await putUntilAccepted(
    context,
    {
      path: job.file.path,
      absolutePath: job.file.absolutePath,
      start,
      length,
      etag: `"${md5.hex}"`,
      what: ` for part ${n}`,
    },
    signed,
    async () => {
      const [again] = await context.resources.signer.signParts(
        job.record.token,
        [{ partNumber: n, size: length, md5: md5.base64 }],
        context.signal,
      );
      if (!again) throw errors.signerProtocol(`Re-signing part ${n} gave no URL`);
      return again;
    },
  );
  tally.damagedInTransit += damagedInTransit;
  job.doneParts.set(n, md5.hex);
  job.journal?.append({ t: 'part', path: job.file.path, n, md5: md5.hex });
}

/**
 * Takes part MD5s as the hash thread posts them, signs the ones not uploaded yet together, and queues
 * their PUTs, at most PARTS_IN_FLIGHT at once; waits for room in the queue before taking more. Resolves
 * once every part is queued; stops with the first part's failure, since the upload cannot complete without it.
 */
async function queueParts(
  context: TransferContext,
  job: MultipartJob,
  tally: PartsTally,
  parts: PartDigests,
  inFlight: Promise<void>[],
): Promise<void> {
  const { record, file } = job;
  const { queue, budget, signer } = context.resources;
  const ownTurns = new PQueue({ concurrency: PARTS_IN_FLIGHT });
  let failed: { error: unknown } | undefined;
  for (;;) {
    if (failed) throw failed.error;
    if (context.signal.aborted) throw errors.cancelled();
    await queue.onSizeLessThan(budget.current);
    await ownTurns.onSizeLessThan(1);
    const window = Math.min(budget.current, PARTS_IN_FLIGHT);
    await context.controls.gate(file.path, context.signal);
    const first = await parts.next();
    if (!first) return;
    const wanted: { n: number; md5: Md5; length: number }[] = [];
    for (const { n, md5 } of [first, ...parts.takeReady(window - 1)]) {
      const { length } = partRange(record, n);
      const journalled = job.doneParts.get(n);
      if (journalled === md5.hex) {
        context.tracker.doneBefore(file.path, length);
        continue;
      }
      if (journalled) throw errors.partChanged(n);
      wanted.push({ n, md5, length });
    }
    if (!wanted.length) continue;
    const signed = await signer.signParts(
      record.token,
      wanted.map((p) => ({ partNumber: p.n, size: p.length, md5: p.md5.base64 })),
      context.signal,
    );
    // A part may have failed while these were being signed (set from its promise, which the type checker
    // cannot see): then the upload cannot complete, send no more.
    const failedMeanwhile = failed as { error: unknown } | undefined;
    if (failedMeanwhile) throw failedMeanwhile.error;
    wanted.forEach((p, i) => {
      const upload = ownTurns.add(() => uploadPart(context, job, tally, p.n, p.md5, signed[i]!));
      // Settled together once every part is queued: a failure meanwhile is handled here, not "unhandled".
      upload.catch((error: unknown) => (failed ??= { error }));
      inFlight.push(upload);
    });
  }
}

/**
 * Uploads a file in parts by its plan. A hash thread reads the file once, posting each part's MD5 (which
 * gates that part's PUT) and hashing the whole file for the report in the same pass: reading it twice on
 * two threads cost ~0.3 s more CPU and ~12 MB more memory per GiB here, for no gain in wall time.
 * Completes through the signer and checks the final ETag against the parts' MD5s.
 */
async function uploadByPlan(context: TransferContext, job: MultipartJob): Promise<FileOutcome> {
  const { record, file } = job;
  const { hasher, signer, hashCache } = context.resources;
  await confirmDoneParts(context, job);
  const parts = job.digests ?? hasher.hashParts(file, record.partSize);
  const inFlight: Promise<void>[] = [];
  const tally: PartsTally = { damagedInTransit: 0 };
  try {
    const queueing = await queueParts(context, job, tally, parts, inFlight).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const settled = await Promise.allSettled(inFlight);
    if (queueing) throw queueing.error;
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    await assertUnchanged(file);
    const done = await signer.complete(record.token, context.signal);
    const expected = multipartEtag(Array.from({ length: record.partCount }, (_, i) => job.doneParts.get(i + 1) ?? ''));
    if (done.etag !== expected) throw errors.etagMismatch(' for the whole object', done.etag, expected);
    // Kept so a push again compares this file without reading it; the file is as it was read (checked above).
    const identity = await fileIdentity(file.absolutePath).catch(() => undefined);
    if (identity) {
      hashCache.set(identity, `etag:${record.partSize}`, expected);
      hashCache.set(identity, 'md5', (await parts.whole).hex);
    }
    return {
      path: file.path,
      status: 'uploaded',
      size: file.size,
      key: record.key,
      md5: (await parts.whole).hex,
      etag: done.etag,
      ...(tally.damagedInTransit ? { damagedInTransit: tally.damagedInTransit } : {}),
    };
  } finally {
    parts.stop();
  }
}

/**
 * Uploads a file in parts, resuming the parts S3 holds; plans it afresh when the upload S3 held is gone
 * (aborted or expired while Hoist was down). When the file was cancelled or went wrong itself, the
 * parts on S3 can never complete, so the upload is aborted; after other failures (retries exhausted)
 * they stay, so a later run can resume from them. Resolves to the outcome; throws why it failed.
 */
export async function uploadInParts(context: TransferContext, job: MultipartJob): Promise<FileOutcome> {
  let current = job;
  try {
    await context.controls.gate(job.file.path, context.signal);
    context.tracker.start(job.file.path, job.file.size);
    try {
      return await uploadByPlan(context, current);
    } catch (error) {
      if (!(error instanceof UploadError) || error.code !== 'no-such-upload') throw error;
      const again = await signFileAgain(context.resources.signer, job.target, job.file, 'multipart', context.signal);
      context.tracker.resetBytes(job.file.path);
      current = {
        ...job,
        record: multipartRecord(job.file, again, job.journal),
        doneParts: new Map(),
        digests: undefined,
      };
      return await uploadByPlan(context, current);
    }
  } catch (error) {
    if (context.signal.aborted || (error instanceof UploadError && FILE_PROBLEMS.has(error.code)))
      await context.resources.signer.abort(current.record.token).catch(() => undefined);
    throw error;
  } finally {
    // Hashed ahead for an upload that never began (cancelled while it waited): stop reading the file.
    job.digests?.stop();
  }
}
