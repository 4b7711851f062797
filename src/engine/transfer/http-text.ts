import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { omitConnectionHeader, type Connections } from './connections';

/** A finished HTTP exchange, its body read whole as text. */
export interface TextResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** One small request: a JSON call to the signer, say. */
export interface TextRequest {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  /** The whole exchange must end within this. */
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  /** Where the connection comes from: kept alive, straight or through a proxy. */
  connections: Connections;
}

/**
 * Sends one request over a kept-alive connection and resolves with the whole answer; rejects on a
 * network error, on `signal`, or when the answer is not complete within `timeoutMs`. Built on node:http
 * rather than fetch, whose first call costs about 60 ms of CPU loading undici: the start of every push.
 */
export async function requestText(url: string, request: TextRequest): Promise<TextResponse> {
  const target = new URL(url);
  const agent = await request.connections.agentFor(target);
  return new Promise((resolve, reject) => {
    const https = target.protocol === 'https:';
    const headers =
      request.body === undefined
        ? request.headers
        : { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const req = omitConnectionHeader(
      (https ? httpsRequest : httpRequest)(target, {
        method: request.method,
        headers,
        agent,
        ...(request.signal ? { signal: request.signal } : {}),
      }),
    );
    const timer = setTimeout(
      () => req.destroy(new Error(`No complete answer within ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
    };
    req.on('error', fail);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      // A connection lost mid-answer is an 'error' here ("aborted"), never a short 'end'.
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text });
      });
    });
    req.end(request.body);
  });
}
