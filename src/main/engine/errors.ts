/** Why an attempt failed, and what to do about it. */
export type FailureKind = 'retry' | 'resign' | 'fatal';

/** A failed attempt with a code, a readable message and what the engine should do next. */
export class UploadError extends Error {
  override name = 'UploadError';

  constructor(
    readonly code: string,
    message: string,
    readonly kind: FailureKind,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The file ended after `read` of the `expected` bytes: it shrank while it was being read or sent. */
export function shrank(read: number, expected: number): UploadError {
  return new UploadError(
    'changed-during-upload',
    `The file shrank while uploading: read ${read} of ${expected} bytes`,
    'fatal',
  );
}

/** The file is gone since the scan saw it. */
export function fileMissing(): UploadError {
  return new UploadError('file-missing', 'The file was deleted or moved after it was scanned', 'fatal');
}

/** Why reading a file failed, as the reason its upload fails: gone, or unreadable with its errno code. */
export function readFailure(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return fileMissing();
  return new UploadError('unreadable', `Cannot read the file: ${code ?? String(error)}`, 'fatal');
}

/** Throws `changed-since-scan` unless the file `now` has the size and modification time it was scanned with. */
export function assertSameAsScanned(
  scanned: { size: number; mtimeMs: number },
  now: { size: number; mtimeMs: number },
): void {
  if (now.size === scanned.size && now.mtimeMs === scanned.mtimeMs) return;
  throw new UploadError(
    'changed-since-scan',
    `The file changed after it was scanned (size ${scanned.size} → ${now.size}); run the batch again to upload the new version`,
    'fatal',
  );
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds, capped at five minutes. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, 300_000) : undefined;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Wraps a low-level network error as a retryable UploadError; passes UploadErrors through. */
export function asUploadError(error: unknown): UploadError {
  if (error instanceof UploadError) return error;
  const code =
    (error as { code?: string; cause?: { code?: string } })?.code ??
    (error as { cause?: { code?: string } })?.cause?.code;
  const message = (error as Error)?.message ?? String(error);
  if (code && NETWORK_CODES.has(code)) return new UploadError('network', `Network error: ${code}`, 'retry');
  return new UploadError('network', `Network error: ${message}`, 'retry');
}
