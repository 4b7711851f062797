import { S3ServiceException } from '@aws-sdk/client-s3';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { HttpError } from '../errors';

/**
 * Maps a body parser failure to 413 (too large, counted inflated), 415 (an encoding it does not read), 400
 * (not what its encoding says) or 400 (not JSON); the parser's own text is not shown.
 */
export function bodyParseError(error: unknown, limit: number, encoding: string | undefined): HttpError {
  const { status, code } = (error ?? {}) as { status?: unknown; code?: unknown };
  if (status === 413) {
    return new HttpError(413, 'body-too-large', `The request body is larger than the limit of ${limit} bytes`);
  }
  if (status === 415) {
    return new HttpError(
      415,
      'unsupported-media-type',
      `Expected the request body's Content-Encoding to be gzip, deflate, br or none, got \`${encoding}\``,
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new HttpError(400, 'bad-request', `The request body is not the ${encoding} its Content-Encoding says`);
  }
  return new HttpError(400, 'malformed-json', 'The request body is not valid JSON');
}

function fromStorage(error: S3ServiceException): HttpError {
  // Ceph answers ListParts for an aborted upload with NoSuchKey; AWS with NoSuchUpload.
  if (error.name === 'NoSuchUpload' || error.name === 'NoSuchKey')
    return new HttpError(404, 'no-such-upload', 'The multipart upload no longer exists');
  if (error.name === 'PreconditionFailed' || error.$metadata.httpStatusCode === 412) {
    return new HttpError(412, 'exists', 'An object already exists at this key');
  }
  // A store that lacks the call (s3rver has no AbortMultipartUpload): asking again will not help.
  if (error.$metadata.httpStatusCode === 405 || error.$metadata.httpStatusCode === 501) {
    return new HttpError(501, 'storage-unsupported', `The bucket does not support this request: \`${error.name}\``);
  }
  return new HttpError(502, 'storage-error', `The bucket answered \`${error.name}\``);
}

function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (error instanceof S3ServiceException) return fromStorage(error);
  // Errors Koa middleware raise with ctx.throw (status, expose, headers), such as the rate limiter's 429.
  const { status, expose, message, headers } = error as {
    status?: unknown;
    expose?: unknown;
    message?: string;
    headers?: Record<string, string>;
  };
  if (typeof status === 'number' && status >= 400 && status < 500 && expose === true) {
    const code = status === 429 ? 'rate-limited' : 'bad-request';
    return new HttpError(status, code, message ?? 'Bad request', undefined, headers);
  }
  return undefined;
}

/** Answers every error as JSON `{ error: { code, message, field } }`; never a stack trace. */
export function errorBodies(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new HttpError(404, 'not-found', `No route for \`${ctx.method} ${ctx.path}\``);
      }
    } catch (error) {
      const http = toHttpError(error);
      if (!http || http.status >= 500)
        log.error(
          { err: error },
          `Failed to answer ${ctx.method} ${ctx.path}: ${(error as Error)?.message ?? String(error)}`,
        );
      const answer = http ?? new HttpError(500, 'internal', 'The signer failed; the error is in its log');
      ctx.status = answer.status;
      ctx.set(answer.headers);
      ctx.body = {
        error: { code: answer.code, message: answer.message, ...(answer.field ? { field: answer.field } : {}) },
      };
      ctx.state.outcome = answer.code;
    }
  };
}
