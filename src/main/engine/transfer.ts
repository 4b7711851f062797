import { createReadStream } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream/promises';
import type { BandwidthLimiter } from './bandwidth';
import { retryAfterMs, shrank, UploadError } from './errors';

/** Keep-alive agents sized to the engine's one connection budget. */
export interface Agents {
  http: HttpAgent;
  https: HttpsAgent;
}

/** Creates keep-alive agents that open at most `maxSockets` connections per host. */
export function createAgents(maxSockets: number): Agents {
  const options = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}

/** One PUT of a byte range of a file to a presigned URL. */
export interface RangePut {
  url: string;
  headers: Record<string, string>;
  file: string;
  /** The range's bytes when already in memory (small files); then the file is not read again. */
  bytes?: Buffer | undefined;
  start: number;
  length: number;
  /** When the URL stops working; a 403 near it means "sign again", not "fail". */
  expiresAt: string;
  agents: Agents;
  stallMs: number;
  signal: AbortSignal;
  limiter?: BandwidthLimiter | undefined;
  /** Called with each chunk's size as it is handed to the socket. */
  onBytes(bytes: number): void;
}

const s3Code = (body: string): string => /<Code>([^<]+)<\/Code>/u.exec(body)?.[1] ?? '';

function classify(res: IncomingMessage, body: string, expiresAt: string): UploadError {
  const status = res.statusCode ?? 0;
  const code = s3Code(body);
  const after = retryAfterMs(res.headers['retry-after'] as string | undefined);
  if (status >= 500 || status === 429 || code === 'SlowDown' || code === 'RequestTimeout') {
    return new UploadError(code || `http-${status}`, `S3 answered ${status} ${code}`.trim(), 'retry', after);
  }
  const expired = code === 'ExpiredToken' || /expired/iu.test(body) || Date.now() >= Date.parse(expiresAt) - 5000;
  if (status === 403 && expired) return new UploadError('url-expired', 'The upload URL expired', 'resign');
  if (status === 412) return new UploadError('exists', 'An object already exists at this key', 'fatal');
  if (code === 'BadDigest' || code === 'InvalidDigest') {
    return new UploadError(
      'changed-during-upload',
      'The bytes sent differ from the bytes hashed: the file changed while uploading',
      'fatal',
    );
  }
  return new UploadError(code || `http-${status}`, `S3 refused the upload: ${status} ${code}`.trim(), 'fatal');
}

/** S3's answer as text, its first 4 KiB at most (an error document); `onChunk` marks progress. */
function readAnswer(res: IncomingMessage, onChunk: () => void): Promise<string> {
  // Plain events, not `for await`: an async iterator per request is measurable at thousands of files.
  return new Promise((resolve, reject) => {
    let text = '';
    res.on('data', (chunk: Buffer) => {
      onChunk();
      if (text.length < 4096) text += chunk.toString();
    });
    res.once('end', () => resolve(text));
    res.once('error', reject);
  });
}

/** Streams the range to the URL with exactly the signed headers; resolves to the ETag S3 returned. */
export async function putRange(put: RangePut): Promise<string> {
  if (put.signal.aborted) throw new UploadError('cancelled', 'Cancelled by you', 'fatal');
  const url = new URL(put.url);
  const isHttps = url.protocol === 'https:';
  const send = isHttps ? httpsRequest : httpRequest;
  let lastActivity = performance.now();
  let sent = 0;
  const req = send(url, { method: 'PUT', headers: put.headers, agent: isHttps ? put.agents.https : put.agents.http });
  // Why the request was torn down, when it was us: a stall (retried) or a cancel (not).
  let stopped: UploadError | undefined;
  const stop = (reason: UploadError): void => {
    stopped ??= reason;
    req.destroy(reason);
  };
  const abort = (): void => stop(new UploadError('cancelled', 'Cancelled', 'fatal'));
  put.signal.addEventListener('abort', abort, { once: true });
  const stallTimer = setInterval(
    () => {
      if (performance.now() - lastActivity > put.stallMs)
        stop(new UploadError('stalled', `No progress for ${put.stallMs} ms`, 'retry'));
    },
    Math.min(1000, put.stallMs / 2),
  );
  try {
    const response = new Promise<IncomingMessage>((resolve, reject) => {
      req.once('response', resolve);
      req.once('error', reject);
    });
    const counted = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        if (put.limiter) await put.limiter.take(chunk.length);
        lastActivity = performance.now();
        sent += chunk.length;
        put.onBytes(chunk.length);
        yield chunk;
      }
      // A file truncated mid-read ends early: fail now rather than wait for S3 to time out.
      if (sent !== put.length) throw shrank(sent, put.length);
    };
    // Bytes already in memory go out in one write with the headers: no stream machinery per request.
    const sendBytes = async (bytes: Buffer): Promise<void> => {
      if (put.limiter && bytes.length) await put.limiter.take(bytes.length);
      sent = bytes.length;
      put.onBytes(bytes.length);
      await new Promise<void>((resolve) => {
        req.once('finish', resolve);
        req.once('close', resolve);
        req.end(bytes);
      });
    };
    const body =
      put.length === 0
        ? sendBytes(Buffer.alloc(0))
        : put.bytes
          ? sendBytes(put.bytes)
          : pipeline(
              createReadStream(put.file, {
                start: put.start,
                end: put.start + put.length - 1,
                highWaterMark: 256 * 1024,
              }),
              counted,
              req,
            );
    // S3 may answer before the body is sent (a 403 for an expired URL, a 503): act on the answer then,
    // instead of pushing the rest of the body at a server that stopped reading.
    let bodyError: unknown;
    const bodySent = body.then(
      () => undefined,
      (error: unknown) => void (bodyError = error),
    );
    let res: IncomingMessage;
    try {
      res = await response;
    } catch (error) {
      await bodySent;
      throw bodyError ?? error;
    }
    if (res.statusCode === 200) {
      await bodySent;
      if (bodyError) throw bodyError;
    }
    const text = await readAnswer(res, () => (lastActivity = performance.now()));
    if (res.statusCode === 200) return String(res.headers.etag ?? '');
    req.destroy();
    throw classify(res, text, put.expiresAt);
  } catch (error) {
    if (stopped) throw stopped;
    if (error instanceof UploadError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UploadError('file-missing', 'The file was deleted while uploading', 'fatal');
    throw error;
  } finally {
    clearInterval(stallTimer);
    put.signal.removeEventListener('abort', abort);
  }
}
