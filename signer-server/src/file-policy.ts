import type { Caller } from './auth';
import type { PolicyConfig } from './config';
import {
  buildKey,
  cameraMediaTypeOf,
  isMediaType,
  matchesContentType,
  normaliseRelativePath,
  tooLargeMessage,
  type FileError,
  type FileRequest,
  type SignerErrorCode,
} from '@hoist/protocol';

/** A file that passed every check, with the key the server chose for it. */
export interface AcceptedFile {
  file: FileRequest;
  path: string;
  key: string;
  multipart: boolean;
}

const refuse = (path: string, code: SignerErrorCode, message: string): FileError => ({
  status: 'error',
  path,
  code,
  message,
});

/** Checks one file against the policy and decides its key, `<prefix>/<folder>/<path>`; never trusts the client's. */
export function judgeFile(
  file: FileRequest,
  caller: Caller,
  folder: string,
  policy: PolicyConfig,
): AcceptedFile | FileError {
  const normalised = normaliseRelativePath(file.path);
  if ('code' in normalised) return refuse(file.path, normalised.code, normalised.message);
  const built = buildKey(caller.prefix, folder, normalised.path);
  if ('code' in built) return refuse(file.path, built.code, built.message);
  if (file.size > policy.maxFileSize) {
    return refuse(file.path, 'too-large', tooLargeMessage(file.size, policy.maxFileSize));
  }
  // A client that knows no camera format sends its files as octet-stream: the camera table names them.
  const given = file.type.toLowerCase();
  const type = (given === 'application/octet-stream' && cameraMediaTypeOf(normalised.path)) || given;
  if (!isMediaType(type)) {
    return refuse(
      file.path,
      'invalid-type',
      `Content type \`${file.type}\` is not a bare media type like \`image/png\``,
    );
  }
  if (!matchesContentType(type, policy.allowedTypes, normalised.path)) {
    return refuse(
      file.path,
      'type-not-allowed',
      `Content type \`${type}\` is not allowed; allowed: ${policy.allowedTypes.join(', ')}`,
    );
  }
  const multipart = file.size >= policy.multipartThreshold;
  if (!multipart && !file.md5) {
    return refuse(file.path, 'md5-required', 'A file uploaded in one PUT needs its Content-MD5');
  }
  return { file: { ...file, type }, path: normalised.path, key: built.key, multipart };
}
