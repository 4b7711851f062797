import type { PutResult } from '@hoist/protocol';
import type { FileOutcome } from '../../shared/outcome';
import { UploadError } from '../errors';
import { assertUnchanged } from '../pipeline/file-check';
import type { PendingFile } from '../pipeline/pending-file';
import { putUntilAccepted, type TransferContext } from './put-attempt';
import type { SignTarget } from '../signer/signer-client';
import { signFileAgain } from './sign-again';

/** One file to send in one PUT, as the signer planned it. */
export interface SingleJob {
  target: SignTarget;
  file: PendingFile;
  signed: PutResult;
}

/** After a 412: the object is ours from an earlier run when its ETag, which the signer reads, is our MD5. */
async function alreadyThere(context: TransferContext, job: SingleJob, md5: string): Promise<FileOutcome | undefined> {
  try {
    const [link] = await context.resources.signer.links([job.signed.key]);
    const etag = link?.status === 'ok' ? link.etag : undefined;
    if (etag !== `"${md5}"`) return undefined;
    return {
      path: job.file.path,
      status: 'uploaded',
      size: job.file.size,
      key: job.signed.key,
      md5,
      etag,
      code: 'already-there',
      reason: 'Identical object was already in the bucket',
    };
  } catch {
    return undefined;
  }
}

/**
 * Uploads a file in one PUT, signed again when its URL expires, and verified by its ETag. Resolves to
 * its outcome (uploaded, or already there from an earlier run); throws why it failed.
 */
export async function uploadSingle(context: TransferContext, job: SingleJob): Promise<FileOutcome> {
  const { file, signed } = job;
  const md5 = file.md5!.hex;
  try {
    const { damagedInTransit } = await putUntilAccepted(
      context,
      {
        path: file.path,
        absolutePath: file.absolutePath,
        bytes: file.bytes,
        start: 0,
        length: file.size,
        etag: `"${md5}"`,
        what: '',
        beforeSend: async () => {
          context.tracker.start(file.path, file.size);
          // Bytes read at hash time were checked against the scan then; a streamed file is checked now.
          if (!file.bytes) await assertUnchanged(file);
        },
      },
      signed,
      () => signFileAgain(context.resources.signer, job.target, file, 'put', context.signal),
    );
    return {
      path: file.path,
      status: 'uploaded',
      size: file.size,
      key: signed.key,
      md5,
      etag: `"${md5}"`,
      ...(damagedInTransit ? { damagedInTransit } : {}),
    };
  } catch (error) {
    const ours = error instanceof UploadError && error.code === 'exists' && (await alreadyThere(context, job, md5));
    if (ours) return ours;
    throw error;
  }
}
