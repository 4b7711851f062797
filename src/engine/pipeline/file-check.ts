import { stat } from 'node:fs/promises';
import { assertSameAsScanned, errors } from '../errors';

/** Throws unless the file still has the size and modification time it had when scanned. */
export async function assertUnchanged(file: { absolutePath: string; size: number; mtimeMs: number }): Promise<void> {
  let now;
  try {
    now = await stat(file.absolutePath);
  } catch {
    throw errors.fileMissing();
  }
  assertSameAsScanned(file, now);
}
