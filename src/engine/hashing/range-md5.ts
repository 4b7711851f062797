import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The hex MD5 of `length` bytes of the file at `path` from `start`, read as a stream (memory stays flat). */
export async function md5OfRange(path: string, start: number, length: number): Promise<string> {
  const hash = createHash('md5');
  if (length > 0) {
    for await (const chunk of createReadStream(path, { start, end: start + length - 1 })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
