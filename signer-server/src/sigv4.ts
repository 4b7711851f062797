import { createHmac, hash } from 'node:crypto';

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

/** What every URL signed with one set of credentials on one day shares. */
interface Scope {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | undefined;
  day: string;
  /** `day/region/s3/aws4_request` */
  text: string;
  signingKey: Buffer;
  /** The escaped `X-Amz-Credential` and `X-Amz-Security-Token` pairs. */
  credentialPair: string;
  tokenPair: string | undefined;
}

/** The part of a `name=value` pair before its `=`. */
const nameOf = (pair: string): string => pair.slice(0, pair.indexOf('='));

/**
 * A SigV4 query-string presigner for S3: one SHA-256 and one HMAC per URL, with what URLs of one day and
 * one set of credentials share (the signing key, the escaped credential) computed once.
 * Its URLs carry only the parameters AWS documents for a presigned URL: the AWS SDK's presigner adds
 * `X-Amz-Content-Sha256=UNSIGNED-PAYLOAD`, what such a URL means without it, and the SDK's `x-id`, which S3
 * does not read (53 bytes of every PUT of a small file).
 */
export class QueryPresigner {
  readonly #region: string;
  #scope: Scope | undefined;

  constructor(region: string) {
    this.#region = region;
  }

  /** Returns the presigned URL for `input`; the caller must send exactly `input.headers`. */
  presign(input: PresignInput, credentials: SigningCredentials): string {
    const date = amzDate(input.now);
    const scope = this.#scopeFor(credentials, date.slice(0, 8));
    const headerNames = Object.keys(input.headers);
    headerNames.push('host');
    headerNames.sort();
    const signedHeaders = headerNames.join(';');
    let canonicalHeaders = '';
    for (const name of headerNames)
      canonicalHeaders += `${name}:${(name === 'host' ? input.host : (input.headers[name] ?? '')).trim()}\n`;
    // SigV4's own parameters, already in the byte order of their names.
    const own = [
      `X-Amz-Algorithm=${ALGORITHM}`,
      scope.credentialPair,
      `X-Amz-Date=${date}`,
      `X-Amz-Expires=${input.expiresInSeconds}`,
    ];
    if (scope.tokenPair) own.push(scope.tokenPair);
    own.push(`X-Amz-SignedHeaders=${uriEscape(signedHeaders)}`);
    // The request's parameters merged in, so the whole query is in canonical order.
    const pairs: string[] = [];
    let next = 0;
    for (const name of Object.keys(input.query).sort()) {
      const escaped = uriEscape(name);
      while (next < own.length && nameOf(own[next]!) < escaped) pairs.push(own[next++]!);
      pairs.push(`${escaped}=${uriEscape(input.query[name] ?? '')}`);
    }
    while (next < own.length) pairs.push(own[next++]!);
    const canonicalRequest = `${input.method}\n${input.path}\n${pairs.join('&')}\n${canonicalHeaders}\n${signedHeaders}\nUNSIGNED-PAYLOAD`;
    const stringToSign = `${ALGORITHM}\n${date}\n${scope.text}\n${hash('sha256', canonicalRequest)}`;
    const signature = createHmac('sha256', scope.signingKey).update(stringToSign).digest('hex');
    const at = pairs.findIndex((pair) => pair > 'X-Amz-Signature=');
    pairs.splice(at < 0 ? pairs.length : at, 0, `X-Amz-Signature=${signature}`);
    return `${input.protocol}//${input.host}${input.path}?${pairs.join('&')}`;
  }

  #scopeFor(credentials: SigningCredentials, day: string): Scope {
    const { accessKeyId, secretAccessKey, sessionToken } = credentials;
    const cached = this.#scope;
    if (
      cached?.day === day &&
      cached.accessKeyId === accessKeyId &&
      cached.secretAccessKey === secretAccessKey &&
      cached.sessionToken === sessionToken
    )
      return cached;
    const text = `${day}/${this.#region}/s3/aws4_request`;
    let signingKey = createHmac('sha256', `AWS4${secretAccessKey}`).update(day).digest();
    for (const part of [this.#region, 's3', 'aws4_request'])
      signingKey = createHmac('sha256', signingKey).update(part).digest();
    this.#scope = {
      accessKeyId,
      secretAccessKey,
      sessionToken,
      day,
      text,
      signingKey,
      credentialPair: `X-Amz-Credential=${uriEscape(`${accessKeyId}/${text}`)}`,
      tokenPair: sessionToken ? `X-Amz-Security-Token=${uriEscape(sessionToken)}` : undefined,
    };
    return this.#scope;
  }
}
