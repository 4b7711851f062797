import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import {
  CompleteResponseSchema,
  ErrorBodySchema,
  HealthSchema,
  LinksResponseSchema,
  ListDestinationResponseSchema,
  ListFoldersResponseSchema,
  ListPartsResponseSchema,
  PolicySchema,
  SignBatchResponseSchema,
  SignPartsResponseSchema,
  type CompleteResponse,
  type FileRequest,
  type FileResult,
  type LinkResult,
  type ListDestinationResponse,
  type ListFoldersResponse,
  type ListPartsResponse,
  type PartRequest,
  type Policy,
  type SignPartsResponse,
} from '@hoist/protocol';
import type * as z from 'zod';
import { isLoopbackHost } from '@hoist/protocol';
import { asUploadError, errors, retryAfterMs, UploadError } from '../errors';
import { EngineOptionError } from '../options';
import { checkUpload, checkViewLink, type HttpUploads } from './answer-checks';
import type { Connections } from '../transfer/connections';
import { requestText, type TextResponse } from '../transfer/http-text';
import { withRetries, type RetryOptions } from '../transfer/retry';

const gzipAsync = promisify(gzip);

/** One request to the signer: its answer is checked against `schema`, or ignored when there is none. */
interface SignerCall<T extends z.ZodType> {
  method: 'GET' | 'POST';
  path: string;
  body: unknown;
  schema: T | undefined;
  signal: AbortSignal | undefined;
}

/** Where a batch's files go: its destination inside the caller's prefix, or its own folder without one. */
export interface SignTarget {
  batch: string;
  destination?: string;
}

/** Where the signer is and who we are to it. */
export interface SignerEndpoint {
  url: string;
  token: string;
  /** A fresh token when the signer refuses this one (an access token that expired mid-run). */
  refreshToken?: () => Promise<string>;
}

/**
 * Attempts at reaching a signer that has never answered. One never reached is most likely a wrong URL or
 * a server not started, so the person hears within seconds (1.5-3 s of backoff by default), not after
 * the minute and a half of retries that rides out an outage of a signer already in use.
 */
const FIRST_CONTACT_ATTEMPTS = 3;

/**
 * How long one exchange may take: a signer never reached gets 10 s, so one behind a firewall that drops
 * the connection (a wrong port) is reported in about half a minute, not three.
 */
const timeoutMs = (answered: boolean): number => (answered ? 60_000 : 10_000);

/**
 * How long a policy answer is reused while this client sends the signer nothing else (a signing uses
 * quota): a push that checks the policy and then starts its batch asks once, one round trip less before
 * the first byte.
 */
const POLICY_REUSE_MS = 5_000;

/**
 * Request bodies from this size on go gzipped: a batch's JSON packs to a fifth (110 bytes a file to 22,
 * 1.3 ms of CPU a thousand files), bytes a slow uplink carries beside every small file's PUT.
 */
const GZIP_FROM_BYTES = 1024;

/** A request body as sent: the JSON, and its gzip when it is worth packing. */
interface Body {
  json: string;
  gzip: Buffer | undefined;
}

/** `body` as JSON, packed with gzip when `pack` and it is big enough to gain from it. */
async function bodyOf(body: unknown, pack: boolean): Promise<Body | undefined> {
  if (body === undefined) return undefined;
  const json = JSON.stringify(body);
  return { json, gzip: pack && json.length >= GZIP_FROM_BYTES ? await gzipAsync(json) : undefined };
}

/** Talks to the signing server over HTTP: validated answers, retries on network errors, 5xx and 429. */
export class SignerClient {
  readonly #endpoint: SignerEndpoint;
  readonly #retry: RetryOptions;
  /** Where upload URLs may be plain http: anywhere when the person said so, this machine for a signer on it. */
  readonly #httpUploads: HttpUploads;
  readonly #connections: Connections;
  #answered = false;
  /** Set once the signer (or a proxy before it) refused a gzipped body with 415: bodies go plain since. */
  #plainBodies = false;
  #policy: { policy: Policy; at: number } | undefined;
  /** Calls other than GETs begun, and those not yet ended: a policy is kept only if none ran beside it. */
  #changes = 0;
  #changing = 0;

  /**
   * A client for the signer at `endpoint`. Its token crosses the network in the clear over http, so an
   * `http:` signer must be on a loopback address unless `allowHttp`.
   */
  constructor(endpoint: SignerEndpoint, retry: RetryOptions, connections: Connections, allowHttp = false) {
    let url: URL;
    try {
      url = new URL(endpoint.url);
    } catch {
      throw new EngineOptionError(`Expected \`signer\` to be an http(s) URL, got \`${endpoint.url}\``);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new EngineOptionError(`Expected \`signer\` to be an http(s) URL, got \`${endpoint.url}\``);
    }
    const local = isLoopbackHost(url.hostname);
    if (url.protocol === 'http:' && !local && !allowHttp) {
      throw new EngineOptionError(
        `Expected \`signer\` to be https, or http on this machine, got \`${url.origin}\`: over http the token ` +
          'crosses the network in the clear (--allow-http sends it anyway)',
      );
    }
    this.#endpoint = { ...endpoint, url: endpoint.url.replace(/\/+$/u, '') };
    this.#retry = retry;
    this.#connections = connections;
    this.#httpUploads = allowHttp ? 'any' : local ? 'loopback' : 'none';
  }

  /** One exchange; one that may change what the signer holds for the caller lets go of the kept policy. */
  async #call<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: T | undefined,
    signal?: AbortSignal,
  ): Promise<z.infer<T> | undefined> {
    const call: SignerCall<T> = { method, path, body, schema, signal };
    if (method === 'GET') return this.#refreshing(call);
    this.#policy = undefined;
    this.#changes += 1;
    this.#changing += 1;
    try {
      return await this.#refreshing(call);
    } finally {
      this.#changing -= 1;
    }
  }

  /** One exchange; a 401 gets one fresh token (when the endpoint can refresh it) and the exchange again. */
  async #refreshing<T extends z.ZodType>(call: SignerCall<T>): Promise<z.infer<T> | undefined> {
    const sent = this.#endpoint.token;
    try {
      return await this.#exchange(call);
    } catch (error) {
      const refresh = this.#endpoint.refreshToken;
      if (!refresh || !(error instanceof UploadError) || error.code !== 'unauthorized') throw error;
      // Another call may have refreshed it meanwhile; otherwise ask for a new one.
      if (this.#endpoint.token === sent) this.#endpoint.token = await refresh();
      return this.#exchange(call);
    }
  }

  async #exchange<T extends z.ZodType>({
    method,
    path,
    body,
    schema,
    signal,
  }: SignerCall<T>): Promise<z.infer<T> | undefined> {
    let attempts = 0;
    const sent = await bodyOf(body, !this.#plainBodies);
    const attempt = async (): Promise<TextResponse> => {
      attempts += 1;
      const packed = this.#plainBodies ? undefined : sent?.gzip;
      let res: TextResponse;
      try {
        res = await requestText(`${this.#endpoint.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${this.#endpoint.token}`,
            ...(sent ? { 'content-type': 'application/json' } : {}),
            ...(packed ? { 'content-encoding': 'gzip' } : {}),
          },
          body: packed ?? sent?.json,
          timeoutMs: timeoutMs(this.#answered),
          signal,
          connections: this.#connections,
        });
      } catch (error) {
        if (signal?.aborted) throw errors.cancelled();
        const failure = asUploadError(error);
        if (failure.code === 'untrusted-certificate') throw failure;
        const giveUp = !this.#answered && attempts >= FIRST_CONTACT_ATTEMPTS;
        throw errors.signerUnreachable(this.#endpoint.url, failure.message, giveUp);
      }
      if (res.status !== 415 || !packed) return res;
      this.#plainBodies = true;
      return attempt();
    };
    return withRetries(
      async () => {
        const res = await attempt();
        this.#answered = true;
        const { text } = res;
        if (res.status < 200 || res.status > 299) throw this.#failure(res, path);
        if (!schema) return undefined;
        const parsed = schema.safeParse(text ? JSON.parse(text) : undefined);
        if (!parsed.success) throw errors.signerProtocol(`The signer's answer to ${path} did not match the protocol`);
        return parsed.data;
      },
      this.#retry,
      signal,
    );
  }

  #failure(res: TextResponse, path: string): UploadError {
    // 501: the signer or its bucket lacks the feature, which no retry will change.
    const retryable = (res.status >= 500 && res.status !== 501) || res.status === 429 || res.status === 408;
    const kind = retryable ? 'retry' : 'fatal';
    const after = retryAfterMs(res.headers['retry-after']);
    try {
      const body = ErrorBodySchema.parse(JSON.parse(res.text));
      return errors.signer(body.error.code, `Signer: ${body.error.message}`, kind, after);
    } catch {
      // A proxy's HTML page or an empty body: the status says what there is to say.
      const message =
        res.status === 404
          ? `Signer answered 404 to ${path}: is ${this.#endpoint.url} a Hoist signer?`
          : `Signer answered ${res.status} to ${path}`;
      return errors.http(res.status, message, kind, after);
    }
  }

  /** What this caller may upload; an answer of the last 5 s is reused while nothing else went to the signer. */
  async policy(signal?: AbortSignal): Promise<Policy> {
    const kept = this.#policy;
    if (kept && performance.now() - kept.at < POLICY_REUSE_MS) return kept.policy;
    const changes = this.#changes;
    const alone = this.#changing === 0;
    const policy = (await this.#call('GET', '/v1/policy', undefined, PolicySchema, signal))!;
    if (alone && changes === this.#changes) this.#policy = { policy, at: performance.now() };
    return policy;
  }

  /** Signs up to the policy's batch limit of files into `target`; one result per file, in order. */
  async signFiles(target: SignTarget, files: FileRequest[], signal?: AbortSignal): Promise<FileResult[]> {
    const body = { batch: target.batch, ...(target.destination ? { destination: target.destination } : {}), files };
    const out = (await this.#call('POST', '/v1/batches/sign', body, SignBatchResponseSchema, signal))!;
    if (out.files.length !== files.length)
      throw errors.signerProtocol(`Asked to sign ${files.length} files, got ${out.files.length} answers`);
    for (const file of out.files) if (file.status === 'put') checkUpload(file, `\`${file.path}\``, this.#httpUploads);
    return out.files;
  }

  /**
   * One page of what `destination` holds, after the path `after`, with when each object was written (a
   * signer before that field leaves it out); `next` names the next page's start.
   */
  async listDestination(destination: string, after?: string, signal?: AbortSignal): Promise<ListDestinationResponse> {
    const body = { destination, ...(after === undefined ? {} : { after }) };
    const path = '/v1/destinations/list?with=modified';
    return (await this.#call('POST', path, body, ListDestinationResponseSchema, signal))!;
  }

  /** One page of the caller's folders (or their destinations), from the page token `page`. */
  async listFolders(page?: string, signal?: AbortSignal): Promise<ListFoldersResponse> {
    const body = page === undefined ? {} : { page };
    return (await this.#call('POST', '/v1/folders/list', body, ListFoldersResponseSchema, signal))!;
  }

  /** The signer's version, from its health check; undefined when it does not say. */
  async version(signal?: AbortSignal): Promise<string | undefined> {
    return (await this.#call('GET', '/healthz', undefined, HealthSchema, signal))!.version;
  }

  /** Part URLs for one multipart upload. */
  async signParts(token: string, parts: PartRequest[], signal?: AbortSignal): Promise<SignPartsResponse['parts']> {
    const signed = (await this.#call(
      'POST',
      '/v1/multipart/parts',
      { token, parts },
      SignPartsResponseSchema,
      signal,
    ))!;
    for (const part of signed.parts) checkUpload(part, `part ${part.partNumber}`, this.#httpUploads);
    return signed.parts;
  }

  /** Parts S3 already holds for the upload. */
  async listParts(token: string, signal?: AbortSignal): Promise<ListPartsResponse['parts']> {
    return (await this.#call('POST', '/v1/multipart/list', { token }, ListPartsResponseSchema, signal))!.parts;
  }

  /** Completes the upload after the signer checks it against the plan. */
  async complete(token: string, signal?: AbortSignal): Promise<CompleteResponse> {
    return (await this.#call('POST', '/v1/multipart/complete', { token }, CompleteResponseSchema, signal))!;
  }

  /** View links for objects this caller uploaded, one result per key in order (at most 1,000 keys). */
  async links(keys: string[], signal?: AbortSignal): Promise<LinkResult[]> {
    const out = (await this.#call('POST', '/v1/links', { keys }, LinksResponseSchema, signal))!;
    if (out.links.length !== keys.length)
      throw errors.signerProtocol(`Asked for ${keys.length} links, got ${out.links.length}`);
    for (const link of out.links) if (link.status === 'ok') checkViewLink(link.url, `\`${link.key}\``);
    return out.links;
  }

  /** Aborts the upload on S3. */
  async abort(token: string): Promise<void> {
    await this.#call('POST', '/v1/multipart/abort', { token }, undefined);
  }
}
