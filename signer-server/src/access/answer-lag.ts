import { randomUUID } from 'node:crypto';
import { Agent as HttpAgent, get as httpGet } from 'node:http';
import { Agent as HttpsAgent, get as httpsGet } from 'node:https';
import type { BucketUrls } from '../bucket-urls';
import type { SigningCredentials } from '../sigv4';
import { PROBE_FOLDER } from './store-probe';

/** Answers read on one connection; the first is left out, since a new connection's first one is acknowledged at once. */
const ANSWERS = 4;
/** Short answers come at once: a store this slow is not timed, and the signer's start is not held up. */
const TIMEOUT_MS = 2000;

/** A body this late behind its headers on every answer is Nagle's algorithm waiting for a delayed ACK, not the store at work. */
export const LATE_BODY_MS = 20;

/** One GET through `agent`: the ms from its answer's headers to the end of its body. */
function bodyLag(url: string, agent: HttpAgent): Promise<number> {
  const get = url.startsWith('https:') ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    const request = get(url, { agent, timeout: TIMEOUT_MS }, (response) => {
      const headersAt = performance.now();
      response.once('end', () => resolve(performance.now() - headersAt));
      response.once('error', reject);
      response.resume();
    });
    request.once('timeout', () => request.destroy(new Error(`no answer in ${TIMEOUT_MS} ms`)));
    request.once('error', reject);
  });
}

/**
 * The least time, in ms, between a short answer's headers and its body over three answers on one
 * kept-alive connection, as the signer's S3 calls use theirs (GETs of a probe key that is not there, each
 * answered with a short XML error). Near 40 ms on Linux when the store's HTTP server leaves Nagle's
 * algorithm on: it sends the body as a second small write, held until the client's delayed ACK.
 */
export async function shortAnswerLag(urls: BucketUrls, credentials: SigningCredentials): Promise<number> {
  const key = `${PROBE_FOLDER}/${randomUUID()}`;
  const { url } = urls.view(credentials, key, { ttlSeconds: 60, attachment: false });
  const agent = new (url.startsWith('https:') ? HttpsAgent : HttpAgent)({ keepAlive: true, maxSockets: 1 });
  try {
    const lags: number[] = [];
    for (let i = 0; i < ANSWERS; i++) lags.push(await bodyLag(url, agent));
    return Math.min(...lags.slice(1));
  } finally {
    agent.destroy();
  }
}
