import { createHash } from 'node:crypto';

/** Files up to this size are read once and sent from the bytes that were hashed. */
export const SMALL_FILE_BYTES = 64 * 1024;

/** An MD5 in the two forms S3 uses: base64 for Content-MD5, hex for ETags. */
export interface Md5 {
  base64: string;
  hex: string;
}

/** The MD5 whose hex digest is `hex`, in both forms (digests cross threads as hex: a Buffer would drag its 8 KiB pool slab along). */
export function md5Of(hex: string): Md5 {
  return { base64: Buffer.from(hex, 'hex').toString('base64'), hex };
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-<count>`. */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const hash = createHash('md5');
  for (const hex of partMd5Hex) hash.update(Buffer.from(hex, 'hex'));
  return `"${hash.digest('hex')}-${partMd5Hex.length}"`;
}
