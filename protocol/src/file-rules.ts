import { cameraMediaTypeOf } from './media-types';
import { isMediaType, matchesContentType } from './content-types';
import { buildKey, normaliseRelativePath } from './keys';
import type { SignerErrorCode } from './error-codes';
import type { FileError } from './schemas';
import { tooLargeMessage } from './sizes';

/** The policy's rules for one file: what the signer enforces and the client's plan applies alike. */
export interface FileRules {
  maxFileSize: number;
  allowedTypes: readonly string[];
  multipartThreshold: number;
}

/** A file as it is judged: its path as the client names it, its size and its media type. */
export interface JudgedRequest {
  path: string;
  size: number;
  type: string;
}

/** A file the rules accept: its normalised path, the key it goes to, its media type and whether it goes in parts. */
export interface AcceptedFile {
  path: string;
  key: string;
  type: string;
  multipart: boolean;
}

/** The answer for a file refused before any byte moves, in the protocol's one shape. */
export function refusal(path: string, code: SignerErrorCode, message: string): FileError {
  return { status: 'error', path, code, message };
}

/**
 * Applies the policy's file rules and decides the key, `<prefix>/<folder>/<path>`: a path that is a
 * valid key, a key S3 takes, a size under the limit, a media type the policy allows (camera files sent as
 * octet-stream are named by the camera table). Pure: the signer and the client's plan call it alike.
 */
export function judgeFile(
  file: JudgedRequest,
  prefix: string,
  folder: string,
  rules: FileRules,
): AcceptedFile | FileError {
  const normalised = normaliseRelativePath(file.path);
  if ('code' in normalised) return refusal(file.path, normalised.code, normalised.message);
  const built = buildKey(prefix, folder, normalised.path);
  if ('code' in built) return refusal(file.path, built.code, built.message);
  if (file.size > rules.maxFileSize) {
    return refusal(file.path, 'too-large', tooLargeMessage(file.size, rules.maxFileSize));
  }
  const given = file.type.toLowerCase();
  const type = (given === 'application/octet-stream' && cameraMediaTypeOf(normalised.path)) || given;
  if (!isMediaType(type)) {
    return refusal(
      file.path,
      'invalid-type',
      `Content type \`${file.type}\` is not a bare media type like \`image/png\``,
    );
  }
  if (!matchesContentType(type, rules.allowedTypes, normalised.path)) {
    return refusal(
      file.path,
      'type-not-allowed',
      `Content type \`${type}\` is not allowed; allowed: ${rules.allowedTypes.join(', ')}`,
    );
  }
  return { path: normalised.path, key: built.key, type, multipart: file.size >= rules.multipartThreshold };
}
