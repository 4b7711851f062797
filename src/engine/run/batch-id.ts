import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';

/**
 * A batch id from the folder's name: up to 32 ASCII letters, digits, `.`, `_`, `-`, then the time and 6
 * random hex digits, at most 49 characters: always a valid id by the signer's rule (`isBatchId`).
 */
export function newBatchId(root: string): string {
  const slug =
    basename(root)
      .normalize('NFKD')
      .replace(/[^A-Za-z0-9._-]+/gu, '-')
      .replace(/^[^A-Za-z0-9]+/u, '')
      .slice(0, 32) || 'batch';
  return `${slug}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
