import { isBatchId, MAX_BATCH_ID_LENGTH, resolveFolder, type SignBatchRequest } from '@hoist/protocol';
import type { Caller } from '../auth';
import type { PolicyConfig } from '../config';
import { HttpError } from '../errors';
import { destinationError } from '../routes/destination-error';

/**
 * The folder a sign request writes to (its destination, or the batch's own), once its batch id, its size
 * and its destination pass; throws the HTTP error that names what does not.
 */
export function batchFolder(body: SignBatchRequest, caller: Caller, policy: PolicyConfig): string {
  if (!isBatchId(body.batch)) {
    throw new HttpError(
      400,
      'invalid-request',
      `Invalid \`batch\`: expected 1-${MAX_BATCH_ID_LENGTH} letters, digits, \`.\`, \`_\` or \`-\`, got \`${body.batch}\``,
      'batch',
    );
  }
  if (body.files.length > policy.maxFilesPerBatch) {
    throw new HttpError(
      413,
      'too-many-files',
      `A batch request may carry ${policy.maxFilesPerBatch} files, got ${body.files.length}`,
      'files',
    );
  }
  const resolved = resolveFolder(body.batch, body.destination, caller.destinations);
  if ('code' in resolved) throw destinationError(resolved);
  return resolved.folder;
}
