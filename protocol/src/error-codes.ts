/** Every code the signer puts in an error answer or a per-file refusal. */
export const SIGNER_ERROR_CODES = [
  'unauthorized',
  'rate-limited',
  'bad-request',
  'invalid-request',
  'malformed-json',
  'too-deeply-nested',
  'unsupported-media-type',
  'body-too-large',
  'too-many-files',
  'not-found',
  'forbidden',
  'invalid-upload-token',
  'invalid-part',
  'incomplete-upload',
  'no-such-upload',
  'exists',
  'storage-unsupported',
  'storage-error',
  'internal',
  'invalid-path',
  'duplicate-path',
  'too-large',
  'invalid-type',
  'type-not-allowed',
  'md5-required',
  'bucket-unreachable',
  'invalid-destination',
  'destination-not-allowed',
  'destination-required',
  'overwrite-not-allowed',
  'identity-provider-unreachable',
  'quota-exceeded',
  'limits-unavailable',
  'store-credentials-unavailable',
  'shutting-down',
] as const;

/** A code the signer answers with. */
export type SignerErrorCode = (typeof SIGNER_ERROR_CODES)[number];

const KNOWN = new Set<string>(SIGNER_ERROR_CODES);

/** True when `code` is one the signer defines. */
export function isSignerErrorCode(code: string): code is SignerErrorCode {
  return KNOWN.has(code);
}
