/** The longest batch id: every client and the signer hold batch ids to this one rule (`isBatchId`). */
export const MAX_BATCH_ID_LENGTH = 64;

const BATCH_ID = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,${MAX_BATCH_ID_LENGTH - 1}}$`, 'u');

/** True when `batch` is a usable batch id: 1-64 of letters, digits, `.`, `_`, `-`, not starting with a mark. */
export function isBatchId(batch: string): boolean {
  return BATCH_ID.test(batch);
}
