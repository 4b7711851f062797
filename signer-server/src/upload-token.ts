import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';

/** What a multipart token binds: one user, one key, one S3 upload, its size and part size, until `expiresAt`. */
export interface UploadClaims {
  user: string;
  key: string;
  uploadId: string;
  size: number;
  partSize: number;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** Set when completing may replace an object at the key; create-only otherwise. */
  overwrite?: true;
}

const ClaimsSchema = z.strictObject({
  user: z.string(),
  key: z.string(),
  uploadId: z.string(),
  size: z.number().int().nonnegative(),
  partSize: z.number().int().positive(),
  expiresAt: z.number().int(),
  overwrite: z.literal(true).optional(),
});

// Canonical unpadded base64url only: `Buffer.from(x, 'base64url')` would also take `=`, `+`, `!` or spaces.
const BASE64URL = /^[A-Za-z0-9_-]+$/u;
const KEY_ID = /^[A-Za-z0-9_-]{8}$/u;
const MAC = /^[A-Za-z0-9_-]{43}$/u;

/** Decodes canonical base64url, or undefined when `text` is anything else (padding, stray characters). */
function strictBase64url(text: string): Buffer | undefined {
  if (!BASE64URL.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

/** A short public name for a secret, so a token says which secret signed it; reveals nothing usable. */
function keyIdOf(secret: Buffer): string {
  return createHash('sha256').update('hoist-upload-token-key-id\0').update(secret).digest('base64url').slice(0, 8);
}

/**
 * Signs and checks multipart tokens `<key id>.<payload>.<mac>` with HMAC-SHA256. The first secret signs;
 * every secret given verifies, so a team rotates by adding the new secret first and keeping the old
 * one until the tokens it signed have expired.
 */
export class UploadTokens {
  readonly #keys: Map<string, Buffer>;
  readonly #signingId: string;

  constructor(secrets: readonly Buffer[]) {
    if (!secrets.length) throw new TypeError('Expected at least one token secret, got none');
    this.#keys = new Map(secrets.map((secret) => [keyIdOf(secret), secret]));
    this.#signingId = keyIdOf(secrets[0]!);
  }

  #mac(keyId: string, payload: string): Buffer {
    return createHmac('sha256', this.#keys.get(keyId)!).update(`${keyId}.${payload}`).digest();
  }

  /** Returns `<key id>.<payload>.<mac>`, all base64url. */
  issue(claims: UploadClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${this.#signingId}.${payload}.${this.#mac(this.#signingId, payload).toString('base64url')}`;
  }

  /** Returns the claims of an authentic, unexpired token, or a reason why it is not one. */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): UploadClaims | { reason: string } {
    const [keyId, payload, mac, extra] = token.split('.');
    if (!keyId || !payload || !mac || extra !== undefined || !KEY_ID.test(keyId) || !MAC.test(mac)) {
      return { reason: 'The upload token is malformed' };
    }
    if (!this.#keys.has(keyId)) {
      return { reason: 'The upload token was signed with a secret this signer no longer holds' };
    }
    const given = strictBase64url(mac);
    const expected = this.#mac(keyId, payload);
    if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { reason: 'The upload token is not authentic' };
    }
    const bytes = strictBase64url(payload);
    let parsed: unknown;
    try {
      parsed = bytes ? JSON.parse(bytes.toString('utf8')) : undefined;
    } catch {
      parsed = undefined;
    }
    const claims = ClaimsSchema.safeParse(parsed);
    if (!claims.success) return { reason: 'The upload token is malformed' };
    if (claims.data.expiresAt < nowSeconds) return { reason: 'The upload token has expired' };
    return claims.data;
  }
}
