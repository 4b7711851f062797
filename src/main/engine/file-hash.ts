import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { assertSameAsScanned, shrank } from './errors';

/** Files up to this size are read once and sent from the bytes that were hashed. */
export const SMALL_FILE_BYTES = 64 * 1024;

/** An MD5 in the two forms S3 uses: base64 for Content-MD5, hex for ETags. */
export interface Md5 {
  base64: string;
  hex: string;
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-<count>`. */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const hash = createHash('md5');
  for (const hex of partMd5Hex) hash.update(Buffer.from(hex, 'hex'));
  return `"${hash.digest('hex')}-${partMd5Hex.length}"`;
}

/**
 * Reads a small file whole and hashes exactly those bytes: open, fstat, read, close. Throws
 * `changed-since-scan` when the open file no longer has the size and modification time the scan saw, so
 * the bytes kept for the PUT are the file as planned.
 */
export async function readSmallFile(path: string, size: number, mtimeMs: number): Promise<{ md5: Md5; bytes: Buffer }> {
  const handle = await open(path);
  try {
    assertSameAsScanned({ size, mtimeMs }, await handle.stat());
    const bytes = Buffer.allocUnsafe(size);
    const { bytesRead } = size ? await handle.read(bytes, 0, size, 0) : { bytesRead: 0 };
    if (bytesRead !== size) throw shrank(bytesRead, size);
    const digest = createHash('md5').update(bytes).digest();
    return { md5: { base64: digest.toString('base64'), hex: digest.toString('hex') }, bytes };
  } finally {
    await handle.close();
  }
}
