import { isRefusal, type FileOutcome } from '../../shared/outcome';
import { errors, UploadError } from '../errors';

/**
 * How a file that did not upload ends in the report: skipped when cancelled or already in the bucket,
 * failed otherwise, with the error's code and message (and the key, once the signer chose one).
 */
export function failureOutcome(file: { path: string; size: number }, error: unknown, key?: string): FileOutcome {
  const e = error instanceof UploadError ? error : errors.internal(String((error as Error)?.message ?? error));
  const cancelled = e.code === 'cancelled';
  return {
    path: file.path,
    status: cancelled || e.code === 'exists' ? 'skipped' : isRefusal(e.code) ? 'rejected' : 'failed',
    size: file.size,
    ...(key ? { key } : {}),
    code: e.code,
    reason: cancelled ? 'Cancelled by you' : e.message,
  };
}
