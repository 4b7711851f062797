import type { BigIntStats } from 'node:fs';
import { stat } from 'node:fs/promises';

/**
 * What proves a file unchanged since it was hashed: its device and inode, its size, and its modification
 * and change times in nanoseconds. A file written with its modification time put back (`touch -d`)
 * still moves its change time, so it is never taken for the old one.
 */
export function identityOf(info: BigIntStats): string {
  return `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

/** The identity of the file at `absolutePath` now. */
export async function fileIdentity(absolutePath: string): Promise<string> {
  return identityOf(await stat(absolutePath, { bigint: true }));
}
