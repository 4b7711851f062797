import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** An MD5 in the two forms S3 uses: base64 for Content-MD5, hex for ETags. */
export interface Md5 {
  base64: string;
  hex: string;
}

/** Streams bytes `start` to `start + length - 1` of a file through MD5; memory stays at one read buffer. */
export async function md5OfRange(path: string, start: number, length: number): Promise<Md5> {
  const hash = createHash('md5');
  if (length > 0) {
    const stream = createReadStream(path, { start, end: start + length - 1, highWaterMark: 256 * 1024 });
    let read = 0;
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      read += (chunk as Buffer).length;
    }
    if (read !== length) throw Object.assign(new Error(`Read ${read} of ${length} bytes`), { code: 'ESHORTREAD' });
  }
  const digest = hash.digest();
  return { base64: digest.toString('base64'), hex: digest.toString('hex') };
}

/** The ETag S3 gives a multipart object: MD5 of the parts' binary MD5s, then `-<count>`. */
export function multipartEtag(partMd5Hex: readonly string[]): string {
  const hash = createHash('md5');
  for (const hex of partMd5Hex) hash.update(Buffer.from(hex, 'hex'));
  return `"${hash.digest('hex')}-${partMd5Hex.length}"`;
}
