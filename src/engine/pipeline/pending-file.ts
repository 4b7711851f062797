import type { ConflictIntent, FileRequest } from '@hoist/protocol';
import type { Md5 } from '../hashing/file-hash';
import type { ScannedFile } from './scan-entries';

/** A file on its way: what was scanned, its type, and its MD5 once computed. */
export interface PendingFile extends ScannedFile {
  type: string;
  md5?: Md5;
  /** A small file's bytes, kept from the hash pass so the PUT sends exactly what was hashed. */
  bytes?: Buffer;
  /** Set when the destination holds a different object at this file's key and the batch chose to replace it or rename. */
  conflict?: { choice: ConflictIntent; key: string };
}

/** What the signer is asked for a file: its path, size, type, (for one PUT) its MD5, and its conflict choice. */
export function toRequest(file: PendingFile): FileRequest {
  return {
    path: file.path,
    size: file.size,
    type: file.type,
    ...(file.md5 ? { md5: file.md5.base64 } : {}),
    ...(file.conflict ? { conflict: file.conflict.choice } : {}),
  };
}
