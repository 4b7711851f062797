import type { SignerErrorCode } from '@hoist/protocol';

/** What the engine does after a failed attempt: try again, sign the URL again, or give up on the file. */
export type FailureKind = 'retry' | 'sign-again' | 'fatal';

/** A code S3 answered with (its `<Code>`, such as `SlowDown`), or `http-<status>` when it gave none. */
export type S3ErrorCode = string & { readonly s3: unique symbol };

/** Codes the engine gives a failure itself. */
export type EngineErrorCode =
  | 'cancelled'
  | 'network'
  | 'untrusted-certificate'
  | 'stalled'
  | 'url-expired'
  | 'exists'
  | 'changed-since-scan'
  | 'changed-during-upload'
  | 'bad-digest'
  | 'damaged-in-transit'
  | 'file-missing'
  | 'unreadable'
  | 'etag-mismatch'
  | 'hash-failed'
  | 'signer-unreachable'
  | 'signer-protocol'
  | 'no-such-upload'
  | 'batch-in-use'
  | 'internal';

/** An answer that named no code of its own (a proxy's page, an empty body): its HTTP status. */
export type HttpStatusCode = `http-${number}`;

/** Every code an UploadError, and so a failed file's outcome, may carry. */
export type ErrorCode = EngineErrorCode | SignerErrorCode | S3ErrorCode | HttpStatusCode;

/** A failed attempt with a code, a readable message and what the engine should do next. */
export class UploadError extends Error {
  override name = 'UploadError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly kind: FailureKind,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The one way each failure is made, so its code, message and kind are written once. */
export const errors = {
  /** The person cancelled the file or the batch, or the engine was closed under it. */
  cancelled: (): UploadError => new UploadError('cancelled', 'Cancelled by you', 'fatal'),
  /** A connection failed; `detail` is Node's code or message. */
  network: (detail: string): UploadError => new UploadError('network', `Network error: ${detail}`, 'retry'),
  /** TLS refused the server's certificate (`detail`: Node's code); no retry will change that. */
  untrustedCertificate: (detail: string): UploadError =>
    new UploadError(
      'untrusted-certificate',
      `The server's TLS certificate is not trusted (${detail}); if your own CA signed it, pass it with --ca-file or NODE_EXTRA_CA_CERTS`,
      'fatal',
    ),
  /** No byte moved for `ms`. */
  stalled: (ms: number): UploadError => new UploadError('stalled', `No progress for ${ms} ms`, 'retry'),
  /** S3 refused a URL past its lifetime: sign it again. */
  urlExpired: (): UploadError => new UploadError('url-expired', 'The upload URL expired', 'sign-again'),
  /** A create-only PUT met an object at its key (412). */
  exists: (): UploadError => new UploadError('exists', 'An object already exists at this key', 'fatal'),
  /** The file's size or modification time changed between the scan and now. */
  changedSinceScan: (scanned: number, now: number): UploadError =>
    new UploadError(
      'changed-since-scan',
      `The file changed after it was scanned (size ${scanned} → ${now}); run the batch again to upload the new version`,
      'fatal',
    ),
  /** A part hashed now differs from the one uploaded before a restart. */
  partChanged: (n: number): UploadError =>
    new UploadError(
      'changed-since-scan',
      `Part ${n} differs from the part uploaded before the restart: the file changed`,
      'fatal',
    ),
  /** S3 found the bytes it received differ from their Content-MD5 (BadDigest): the file, or the way, changed them. */
  badDigest: (): UploadError =>
    new UploadError('bad-digest', 'S3 received bytes that differ from their Content-MD5 (BadDigest)', 'fatal'),
  /** After a BadDigest the range hashed again as before: the bytes were damaged on the way, so send again. */
  damagedInTransit: (): UploadError =>
    new UploadError(
      'damaged-in-transit',
      'The bytes reached S3 damaged (BadDigest) though the file is unchanged; sending again',
      'retry',
    ),
  /** The bytes sent are not the bytes hashed: the file changed while uploading. */
  changedDuringUpload: (): UploadError =>
    new UploadError(
      'changed-during-upload',
      'The bytes sent differ from the bytes hashed: the file changed while uploading',
      'fatal',
    ),
  /** The file ended after `read` of the `expected` bytes: it shrank while it was being read or sent. */
  shrank: (read: number, expected: number): UploadError =>
    new UploadError(
      'changed-during-upload',
      `The file shrank while uploading: read ${read} of ${expected} bytes`,
      'fatal',
    ),
  /** The file is gone since the scan saw it. */
  fileMissing: (): UploadError =>
    new UploadError('file-missing', 'The file was deleted or moved after it was scanned', 'fatal'),
  /** Reading the file failed with errno `code`. */
  unreadable: (code: string): UploadError => new UploadError('unreadable', `Cannot read the file: ${code}`, 'fatal'),
  /** S3's ETag for `what` is not the MD5 sent. */
  etagMismatch: (what: string, got: string, expected: string): UploadError =>
    new UploadError('etag-mismatch', `S3 returned ETag ${got}${what}, expected ${expected}`, 'fatal'),
  /** A hash thread died. */
  hashFailed: (message: string): UploadError => new UploadError('hash-failed', `Hashing stopped: ${message}`, 'fatal'),
  /** The signer could not be reached; `giveUp` once retrying is pointless. */
  signerUnreachable: (url: string, detail: string, giveUp: boolean): UploadError =>
    new UploadError('signer-unreachable', `Signer ${url} unreachable: ${detail}`, giveUp ? 'fatal' : 'retry'),
  /** The signer's answer broke the protocol; `what` says how. */
  signerProtocol: (what: string): UploadError => new UploadError('signer-protocol', what, 'fatal'),
  /** The multipart upload S3 held is gone: the file must be planned again. */
  noSuchUpload: (): UploadError =>
    new UploadError('no-such-upload', 'The multipart upload is gone (expired or aborted)', 'fatal'),
  /** Another Hoist process holds the batch's lock. */
  batchInUse: (message: string): UploadError => new UploadError('batch-in-use', message, 'fatal'),
  /** Something the engine did not expect; `message` is the original error's. */
  internal: (message: string): UploadError => new UploadError('internal', message, 'fatal'),
  /** The signer refused, with its own code and message. */
  signer: (code: SignerErrorCode, message: string, kind: FailureKind, retryAfterMs?: number): UploadError =>
    new UploadError(code, message, kind, retryAfterMs),
  /** S3 refused with its `<Code>`, or with none (then the status is the code). */
  s3: (status: number, code: string, message: string, kind: FailureKind, retryAfterMs?: number): UploadError =>
    new UploadError(code ? (code as S3ErrorCode) : `http-${status}`, message, kind, retryAfterMs),
  /** An answer with no code of its own, named by its HTTP status. */
  http: (status: number, message: string, kind: FailureKind, retryAfterMs?: number): UploadError =>
    new UploadError(`http-${status}`, message, kind, retryAfterMs),
};

/** Why reading a file failed, as the reason its upload fails: gone, or unreadable with its errno code. */
export function readFailure(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return errors.fileMissing();
  return errors.unreadable(code ?? String(error));
}

/** Throws `changed-since-scan` unless the file `now` has the size and modification time it was scanned with. */
export function assertSameAsScanned(
  scanned: { size: number; mtimeMs: number },
  now: { size: number; mtimeMs: number },
): void {
  if (now.size === scanned.size && now.mtimeMs === scanned.mtimeMs) return;
  throw errors.changedSinceScan(scanned.size, now.size);
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds, capped at five minutes. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 300_000) : undefined;
}

/** What each network error code means, in the words a person reads it in. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNRESET: 'the connection was cut',
  ECONNREFUSED: 'nothing answers at that address (connection refused)',
  EPIPE: 'the connection closed while sending',
  ETIMEDOUT: 'the connection timed out',
  EAI_AGAIN: 'the name could not be looked up (DNS)',
  ENOTFOUND: 'no such host',
  EHOSTUNREACH: 'the host cannot be reached from this network',
  ENETUNREACH: 'this machine has no route to that network',
  UND_ERR_SOCKET: 'the connection failed',
  ERR_STREAM_PREMATURE_CLOSE: 'the connection closed early',
};

/** `the connection was cut [ECONNRESET]`: a network error code in plain words, the code kept in brackets. */
export function networkWords(code: string): string {
  return `${NETWORK_WORDS[code] ?? 'network failure'} [${code}]`;
}

/** Node's codes for a certificate that TLS would not accept: unknown CA, expired, another host's. */
const CERTIFICATE_CODES =
  /^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|CERT_[A-Z_]+|ERR_TLS_CERT_ALTNAME_INVALID)$/u;

/**
 * Wraps a low-level error as an UploadError: a certificate TLS refused is fatal, any other network error
 * retryable; passes UploadErrors through.
 */
export function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const code =
    (error as { code?: string; cause?: { code?: string } })?.code ??
    (error as { cause?: { code?: string } })?.cause?.code;
  if (code && CERTIFICATE_CODES.test(code)) return errors.untrustedCertificate(code);
  if (code && code in NETWORK_WORDS) return errors.network(networkWords(code));
  return errors.network((error as Error)?.message ?? String(error));
}
