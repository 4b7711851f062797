import { encodeKeyPath, QueryPresigner, uriEscape, type SigningCredentials } from './sigv4';

/** Where a bucket's objects are addressed: path style on an endpoint, or virtual-hosted. */
export interface BucketLocation {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  forcePathStyle: boolean;
}

/** The URL and the exact headers a client must send with it. */
export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** What a single PUT must carry. */
export interface PutSpec {
  contentType: string;
  size: number;
  md5: string;
  createOnly: boolean;
  ttlSeconds: number;
  /** Signs `x-amz-acl: private`, for a store that would otherwise take an ACL header the URL did not sign. */
  pinAcl?: boolean;
}

let lastExpiry = { time: Number.NaN, ttlSeconds: Number.NaN, text: '' };

/** The ISO time `ttlSeconds` after `now`, computed once per distinct pair since a batch's URLs share one. */
function expiry(now: Date, ttlSeconds: number): string {
  const time = now.getTime();
  if (lastExpiry.time !== time || lastExpiry.ttlSeconds !== ttlSeconds)
    lastExpiry = { time, ttlSeconds, text: new Date(time + ttlSeconds * 1000).toISOString() };
  return lastExpiry.text;
}

/** Presigns the three kinds of URL Hoist hands out for one bucket: PUT, part PUT and view GET. */
export class BucketUrls {
  readonly #presigner: QueryPresigner;
  readonly #protocol: 'http:' | 'https:';
  readonly #host: string;
  readonly #pathPrefix: string;

  constructor(location: BucketLocation) {
    this.#presigner = new QueryPresigner(location.region);
    const base = new URL(location.endpoint ?? `https://s3.${location.region}.amazonaws.com`);
    this.#protocol = base.protocol === 'http:' ? 'http:' : 'https:';
    if (location.forcePathStyle) {
      this.#host = base.host;
      this.#pathPrefix = `/${location.bucket}/`;
    } else {
      this.#host = `${location.bucket}.${base.host}`;
      this.#pathPrefix = '/';
    }
  }

  #url(
    credentials: SigningCredentials,
    method: 'GET' | 'PUT',
    key: string,
    query: Record<string, string>,
    headers: Record<string, string>,
    ttlSeconds: number,
    now: Date,
  ): string {
    return this.#presigner.presign(
      {
        method,
        protocol: this.#protocol,
        host: this.#host,
        path: this.#pathPrefix + encodeKeyPath(key),
        query,
        headers,
        expiresInSeconds: ttlSeconds,
        now,
      },
      credentials,
    );
  }

  /** A PUT URL that signs the object's type, length and MD5, `If-None-Match: *` when create-only, and the ACL when pinned. */
  put(credentials: SigningCredentials, key: string, spec: PutSpec, now = new Date()): SignedRequest {
    const headers: Record<string, string> = {
      'content-length': String(spec.size),
      'content-md5': spec.md5,
      'content-type': spec.contentType,
    };
    if (spec.createOnly) headers['if-none-match'] = '*';
    if (spec.pinAcl) headers['x-amz-acl'] = 'private';
    const url = this.#url(credentials, 'PUT', key, {}, headers, spec.ttlSeconds, now);
    return { url, headers, expiresAt: expiry(now, spec.ttlSeconds) };
  }

  /** A part URL that signs the part's number, length and MD5 within one upload. */
  part(
    credentials: SigningCredentials,
    key: string,
    part: { uploadId: string; partNumber: number; size: number; md5: string },
    ttlSeconds: number,
    now = new Date(),
  ): SignedRequest {
    const query = { partNumber: String(part.partNumber), uploadId: part.uploadId };
    const headers = { 'content-length': String(part.size), 'content-md5': part.md5 };
    const url = this.#url(credentials, 'PUT', key, query, headers, ttlSeconds, now);
    return { url, headers, expiresAt: expiry(now, ttlSeconds) };
  }

  /** A GET URL to view the object; with `attachment`, S3 answers it as a download named after the key. */
  view(
    credentials: SigningCredentials,
    key: string,
    options: { ttlSeconds: number; attachment: boolean },
    now = new Date(),
  ): SignedRequest {
    const query: Record<string, string> = {};
    if (options.attachment) {
      const name = key.slice(key.lastIndexOf('/') + 1);
      query['response-content-disposition'] = `attachment; filename*=UTF-8''${uriEscape(name)}`;
    }
    const url = this.#url(credentials, 'GET', key, query, {}, options.ttlSeconds, now);
    return { url, headers: {}, expiresAt: expiry(now, options.ttlSeconds) };
  }
}
