import { createHash, createHmac } from 'node:crypto';

/** Credentials to sign with; `sessionToken` is set for temporary credentials. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** One request to presign. `headers` are signed and must be sent as given; names in lower case. */
export interface PresignInput {
  method: 'GET' | 'PUT';
  protocol: 'http:' | 'https:';
  host: string;
  /** The path, already URI-encoded the way S3 expects (see `encodeKeyPath`). */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  expiresInSeconds: number;
  now: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNRESERVED = /^[A-Za-z0-9._~-]*$/u;
const RESERVED_BY_SIGV4 = /[!'()*]/u;
const RESERVED_BY_SIGV4_ALL = /[!'()*]/gu;
const hexEscape = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** RFC 3986 encoding as SigV4 wants it: encodeURIComponent plus `!'()*`. */
export function uriEscape(value: string): string {
  if (UNRESERVED.test(value)) return value;
  const encoded = encodeURIComponent(value);
  return RESERVED_BY_SIGV4.test(encoded) ? encoded.replace(RESERVED_BY_SIGV4_ALL, hexEscape) : encoded;
}

/** Encodes an S3 key for a URL path, keeping its slashes. */
export function encodeKeyPath(key: string): string {
  return key.split('/').map(uriEscape).join('/');
}

/** `name=value` pairs, escaped, in the byte order of their names (SigV4's canonical order). */
function sortedPairs(query: Record<string, string>): string[] {
  return Object.keys(query)
    .sort()
    .map((name) => `${uriEscape(name)}=${uriEscape(query[name] ?? '')}`);
}

let lastDate: { time: number; text: string } = { time: Number.NaN, text: '' };

/** `YYYYMMDDTHHMMSSZ`, computed once per distinct time since many URLs share one `now`. */
function amzDate(now: Date): string {
  const time = now.getTime();
  if (lastDate.time !== time) {
    lastDate = {
      time,
      text: now
        .toISOString()
        .replace(/[-:]/gu, '')
        .replace(/\.\d{3}/u, ''),
    };
  }
  return lastDate.text;
}

/**
 * A SigV4 query-string presigner for S3: one SHA-256 and one HMAC per URL, the day's signing key cached.
 * It produces byte-for-byte the URLs of `getSignedUrl` from `@aws-sdk/s3-request-presigner`.
 */
export class QueryPresigner {
  readonly #region: string;
  #cachedKey: { id: string; key: Buffer } | undefined;

  constructor(region: string) {
    this.#region = region;
  }

  /** Returns the presigned URL for `input`; the caller must send exactly `input.headers`. */
  presign(input: PresignInput, credentials: SigningCredentials): string {
    const date = amzDate(input.now);
    const day = date.slice(0, 8);
    const scope = `${day}/${this.#region}/s3/aws4_request`;
    const headerNames = Object.keys(input.headers).concat('host').sort();
    const query: Record<string, string> = {
      ...input.query,
      'X-Amz-Algorithm': ALGORITHM,
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': `${credentials.accessKeyId}/${scope}`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(input.expiresInSeconds),
      'X-Amz-SignedHeaders': headerNames.join(';'),
    };
    if (credentials.sessionToken) query['X-Amz-Security-Token'] = credentials.sessionToken;
    const pairs = sortedPairs(query);
    const canonicalQuery = pairs.join('&');
    const canonicalHeaders = headerNames
      .map((name) => `${name}:${(name === 'host' ? input.host : (input.headers[name] ?? '')).trim()}\n`)
      .join('');
    const canonicalRequest = [
      input.method,
      input.path,
      canonicalQuery,
      canonicalHeaders,
      query['X-Amz-SignedHeaders'],
      'UNSIGNED-PAYLOAD',
    ].join('\n');
    const stringToSign = `${ALGORITHM}\n${date}\n${scope}\n${createHash('sha256').update(canonicalRequest).digest('hex')}`;
    const signature = createHmac('sha256', this.#signingKey(credentials, day)).update(stringToSign).digest('hex');
    const at = pairs.findIndex((pair) => pair > 'X-Amz-Signature=');
    pairs.splice(at < 0 ? pairs.length : at, 0, `X-Amz-Signature=${signature}`);
    return `${input.protocol}//${input.host}${input.path}?${pairs.join('&')}`;
  }

  #signingKey(credentials: SigningCredentials, day: string): Buffer {
    const id = `${credentials.accessKeyId}\n${credentials.secretAccessKey}\n${day}`;
    if (this.#cachedKey?.id === id) return this.#cachedKey.key;
    let key = createHmac('sha256', `AWS4${credentials.secretAccessKey}`).update(day).digest();
    for (const part of [this.#region, 's3', 'aws4_request']) key = createHmac('sha256', key).update(part).digest();
    this.#cachedKey = { id, key };
    return key;
  }
}
