import { open } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { errors, retryAfterMs, UploadError } from '../errors';
import type { BandwidthLimiter } from './bandwidth';
import { omitConnectionHeader, type Connections } from './connections';
import type { ReadBuffers } from './read-buffers';

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
  connections: Connections;
  /** Where a streamed range takes its read buffer from, and gives it back once sent. */
  buffers: ReadBuffers;
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
    return errors.s3(status, code, `S3 answered ${status} ${code}`.trim(), 'retry', after);
  }
  const expired = code === 'ExpiredToken' || /expired/iu.test(body) || Date.now() >= Date.parse(expiresAt) - 5000;
  if (status === 403 && expired) return errors.urlExpired();
  if (status === 412) return errors.exists();
  if (code === 'BadDigest' || code === 'InvalidDigest') return errors.badDigest();
  return errors.s3(status, code, `S3 refused the upload: ${status} ${code}`.trim(), 'fatal');
}

/**
 * Bytes per write to the socket. A write's completion is the stall detector's unit of progress, so a
 * write must finish inside the 30 s stall timeout even on a slow uplink: 64 KiB does down to ~2.2 KB/s
 * per connection (~280 kbit/s shared by 16), where 256 KiB needed ~1.1 Mbit/s and 1 MiB ~4.5 Mbit/s. On
 * the 1 GiB file, 64 KiB writes cost no more CPU than 256 KiB ones (6.22-6.35 s against 6.19-6.77 s).
 */
const WRITE_BYTES = 64 * 1024;

/**
 * The body could not go on because the request was torn down: the request's own error says why. A
 * write's own error (Node 24 answers a write to a TLS socket that failed its handshake with `EBADF`)
 * is kept as the cause only: the certificate error the request reports is the one that matters.
 */
class ClosedWhileSending extends Error {
  constructor(cause?: Error) {
    super('The connection closed while sending', cause ? { cause } : undefined);
  }
}

const closedWhileSending = (cause?: Error): Error => new ClosedWhileSending(cause);

/**
 * Writes `chunk`, or ends the request when there is none; resolves once the socket has taken the bytes,
 * so their buffer may be filled again. Rejects if the connection closes first.
 */
function flushed(req: ClientRequest, chunk?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const closed = (): void => reject(closedWhileSending());
    // Torn down already (a stall, a cancel): 'close' has fired, and an end would never finish.
    if (req.destroyed) return closed();
    req.once('close', closed);
    const done = (error?: Error | null): void => {
      req.off('close', closed);
      if (error) reject(closedWhileSending(error));
      else resolve();
    };
    if (chunk) req.write(chunk, done);
    else req.end(done);
  });
}

/**
 * Sends the range from disk through one read buffer sized to it, then ends the request: up to 1 MiB per
 * read, in 64 KiB writes that each mark progress. A buffer per chunk (as a read stream allocates) makes V8 collect
 * garbage for every ~20 MB sent: on a 1 GiB file that was ~55 full collections and over a second of
 * CPU. The buffer goes back to `put.buffers` once every write from it is done; a range that fails
 * leaves it to the collector, as a torn-down socket may not be done with it. Throws
 * `changed-during-upload` if the file ends early.
 */
async function streamRange(
  put: RangePut,
  req: ClientRequest,
  allow: (bytes: number) => Promise<void>,
  onChunk: (bytes: number) => void,
): Promise<void> {
  const handle = await open(put.file, 'r');
  try {
    const buffer = put.buffers.take(put.length);
    for (let done = 0; done < put.length;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, put.length - done), put.start + done);
      if (!bytesRead) throw errors.shrank(done, put.length);
      for (let at = 0; at < bytesRead; at += WRITE_BYTES) {
        const write = buffer.subarray(at, Math.min(at + WRITE_BYTES, bytesRead));
        await allow(write.length);
        // Torn down (a stall, a cancel, S3 answering early): stop reading and writing at once.
        if (req.destroyed) throw closedWhileSending();
        // Writes complete in order, so the read's last write frees the buffer for the next read.
        if (at + write.length < bytesRead) {
          req.write(write, (error) => {
            if (!error) onChunk(write.length);
          });
        } else {
          await flushed(req, write);
          onChunk(write.length);
        }
      }
      done += bytesRead;
    }
    put.buffers.give(buffer);
  } finally {
    await handle.close();
  }
  await flushed(req);
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

/**
 * Watches one request for stalls: tears it down once no byte has moved for `stallMs`, except while it
 * waits for the bandwidth limit (waiting for it is not a stall: the clock starts again once bytes may go).
 */
class StallWatch {
  #lastActivity = performance.now();
  #throttled = false;
  readonly #timer: NodeJS.Timeout;

  constructor(
    readonly put: RangePut,
    onStall: () => void,
  ) {
    this.#timer = setInterval(
      () => {
        if (!this.#throttled && performance.now() - this.#lastActivity > put.stallMs) onStall();
      },
      Math.min(1000, put.stallMs / 2),
    );
  }

  /** Bytes or an answer moved now. */
  activity(): void {
    this.#lastActivity = performance.now();
  }

  /** Waits until the bandwidth limit lets `bytes` go; the stall clock stops meanwhile. */
  async allow(bytes: number): Promise<void> {
    if (!this.put.limiter) return;
    this.#throttled = true;
    try {
      await this.put.limiter.take(bytes, this.put.signal);
    } finally {
      this.#throttled = false;
      this.activity();
    }
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}

/** Sends the range's body: bytes already in memory in one write with the headers, else streamed from disk. */
function sendBody(put: RangePut, req: ClientRequest, watch: StallWatch): Promise<void> {
  const sendBytes = async (bytes: Buffer): Promise<void> => {
    if (bytes.length) await watch.allow(bytes.length);
    put.onBytes(bytes.length);
    await new Promise<void>((resolve) => {
      req.once('finish', resolve);
      req.once('close', resolve);
      req.end(bytes);
    });
  };
  if (put.length === 0) return sendBytes(Buffer.alloc(0));
  if (put.bytes) return sendBytes(put.bytes);
  const onChunk = (bytes: number): void => {
    watch.activity();
    put.onBytes(bytes);
  };
  return streamRange(put, req, (bytes) => watch.allow(bytes), onChunk).catch((error: unknown) => {
    req.destroy(error as Error);
    throw error;
  });
}

/**
 * S3's answer to a request whose body is on its way. S3 may answer before the body is sent (a 403 for an
 * expired URL, a 503): the answer is acted on then, instead of pushing the rest of the body at a server
 * that stopped reading; a 200 waits for the whole body to have gone.
 */
async function answerTo(req: ClientRequest, body: Promise<void>): Promise<IncomingMessage> {
  const response = new Promise<IncomingMessage>((resolve, reject) => {
    let answered = false;
    req.once('response', (res: IncomingMessage) => {
      answered = true;
      resolve(res);
    });
    req.once('error', reject);
    // Closed with neither an answer nor an error of its own: nothing more will come. Every request closes
    // once answered too: no error is made then (its stack costs microseconds, a million times).
    req.once('close', () => answered || reject(closedWhileSending()));
  });
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
    // A file that could not be read tore the request down with its own error; else the request's says why.
    throw bodyError && !(bodyError instanceof ClosedWhileSending) ? bodyError : error;
  }
  if (res.statusCode === 200) {
    await bodySent;
    if (bodyError) throw bodyError;
  } else {
    // A refused PUT's connection is never reused, even when the whole body went out before the answer:
    // the far end may still be holding the rest of that body, and a next PUT on it would wait unread.
    req.shouldKeepAlive = false;
  }
  return res;
}

/** Streams the range to the URL with exactly the signed headers; resolves to the ETag S3 returned. */
export async function putRange(put: RangePut): Promise<string> {
  if (put.signal.aborted) throw errors.cancelled();
  const url = new URL(put.url);
  const isHttps = url.protocol === 'https:';
  const send = isHttps ? httpsRequest : httpRequest;
  const req = omitConnectionHeader(
    send(url, { method: 'PUT', headers: put.headers, agent: await put.connections.agentFor(url) }),
  );
  // Why the request was torn down, when it was us: a stall (retried) or a cancel (not).
  let stopped: UploadError | undefined;
  const stop = (reason: UploadError): void => {
    stopped ??= reason;
    req.destroy(reason);
  };
  const abort = (): void => stop(errors.cancelled());
  put.signal.addEventListener('abort', abort, { once: true });
  const watch = new StallWatch(put, () => stop(errors.stalled(put.stallMs)));
  try {
    const res = await answerTo(req, sendBody(put, req, watch));
    const text = await readAnswer(res, () => watch.activity());
    if (res.statusCode === 200) return String(res.headers.etag ?? '');
    req.destroy();
    throw classify(res, text, put.expiresAt);
  } catch (error) {
    if (stopped) throw stopped;
    if (error instanceof UploadError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw errors.fileMissing();
    throw error;
  } finally {
    watch.stop();
    put.signal.removeEventListener('abort', abort);
  }
}
