import type { Logger } from 'pino';
import type { FileResult } from '@hoist/protocol';

/** What an audit line says of one file the signer was asked to sign. */
export interface SignedFileFacts {
  user: string;
  batch: string;
  size: number;
  md5?: string;
  result: FileResult;
}

/** The most characters of a path an audit line keeps: a refused 4,000-character path must not fill the log. */
const MAX_PATH_CHARS = 512;

/** `path` cut to MAX_PATH_CHARS, saying how much was left out. */
function shortPath(path: string): string {
  return path.length <= MAX_PATH_CHARS
    ? path
    : `${path.slice(0, MAX_PATH_CHARS)}…(${path.length - MAX_PATH_CHARS} more)`;
}

/**
 * The audit trail: one JSON line per file the signer was asked to sign and per multipart upload it
 * completed (user, key, size, MD5, outcome). Never a token or a URL.
 */
export class Audit {
  readonly #log: Logger;

  constructor(logger: Logger) {
    this.#log = logger.child({ audit: true });
  }

  /** Records a file signed for a PUT or a multipart upload, or refused with its code. */
  fileSigned({ user, batch, size, md5, result }: SignedFileFacts): void {
    this.#log.info({
      event: 'file-signed',
      user,
      batch,
      path: shortPath(result.path),
      ...(result.status === 'error' ? {} : { key: result.key }),
      size,
      ...(md5 ? { md5 } : {}),
      outcome: result.status === 'error' ? 'refused' : result.status,
      ...(result.status === 'error' ? { code: result.code } : {}),
    });
  }

  /** Records a multipart upload S3 completed at `key`. */
  multipartCompleted(user: string, key: string, size: number, etag: string | undefined): void {
    this.#log.info({ event: 'multipart-completed', user, key, size, ...(etag ? { etag } : {}), outcome: 'completed' });
  }
}
