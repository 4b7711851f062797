import type { Connections } from './connections';
import { requestText } from './http-text';

/** What a small exchange passes: openid-client's custom fetch options, and what `fetch` callers pass. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string> | Headers;
  body?: unknown;
  signal?: AbortSignal | null;
}

/** A `fetch` for small exchanges (a sign-in, a discovery document) over given connections. */
export type SmallFetch = (url: string, init?: FetchInit) => Promise<Response>;

/** A small request body as text: a string, form parameters or bytes. */
function bodyText(body: unknown): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams) return String(body);
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  throw new TypeError(`Expected a string, form or bytes body, got \`${Object.prototype.toString.call(body)}\``);
}

/** Statuses whose answer carries no body, which `Response` refuses to be given one. */
const NO_BODY = new Set([101, 204, 205, 304]);

/**
 * A `fetch` over the engine's connections, so a sign-in goes through the same proxy and trusts the same
 * extra CA as the uploads; GET and POST only, each answer read whole within `timeoutMs`.
 */
export function fetchThrough(connections: Connections, timeoutMs = 15_000): SmallFetch {
  return async (url, init = {}) => {
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') throw new TypeError(`Expected GET or POST, got \`${method}\``);
    const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
    const body = bodyText(init.body);
    if (init.body instanceof URLSearchParams) headers['content-type'] ??= 'application/x-www-form-urlencoded';
    const answer = await requestText(url, {
      method,
      headers,
      body,
      timeoutMs,
      signal: init.signal ?? undefined,
      connections,
    });
    const answerHeaders = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    return new Response(NO_BODY.has(answer.status) ? null : answer.text, {
      status: answer.status,
      headers: answerHeaders,
    });
  };
}
