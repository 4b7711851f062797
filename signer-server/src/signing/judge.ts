import {
  DuplicateNames,
  judgeFile,
  refusal,
  type AcceptedFile,
  type FileError,
  type FileRequest,
} from '@hoist/protocol';
import type { SigningContext } from './context';

/** A file the policy accepts, with the request it came in. */
export interface JudgedFile extends AcceptedFile {
  file: FileRequest;
}

/**
 * Step 1: the policy's file rules for each file (never the client's key, size or type), a Content-MD5
 * for each file sent in one PUT, and no two files of the request under names one file system would merge.
 */
export function judge(ctx: SigningContext, files: readonly FileRequest[]): (JudgedFile | FileError)[] {
  const names = new DuplicateNames();
  return files.map((file) => {
    const judged = judgeFile(file, ctx.caller.prefix, ctx.folder, ctx.deps.config.policy);
    if ('status' in judged) return judged;
    if (!judged.multipart && !file.md5) {
      return refusal(file.path, 'md5-required', 'A file uploaded in one PUT needs its Content-MD5');
    }
    const duplicate = names.check(judged.path);
    if (duplicate) return refusal(file.path, 'duplicate-path', duplicate);
    ctx.taken.add(judged.key);
    return { ...judged, file: { ...file, type: judged.type } };
  });
}
