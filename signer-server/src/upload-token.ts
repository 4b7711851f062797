import { createHmac, timingSafeEqual } from 'node:crypto';
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
}

const ClaimsSchema = z.strictObject({
  user: z.string(),
  key: z.string(),
  uploadId: z.string(),
  size: z.number().int().nonnegative(),
  partSize: z.number().int().positive(),
  expiresAt: z.number().int(),
});

/** Signs and checks multipart tokens with an HMAC-SHA256 secret shared by every replica. */
export class UploadTokens {
  readonly #secret: string;

  constructor(secret: string) {
    this.#secret = secret;
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#secret).update(payload).digest();
  }

  /** Returns `<payload>.<mac>`, both base64url. */
  issue(claims: UploadClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** Returns the claims of an authentic, unexpired token, or a reason why it is not one. */
  verify(token: string, nowSeconds = Math.floor(Date.now() / 1000)): UploadClaims | { reason: string } {
    const [payload, mac, extra] = token.split('.');
    if (!payload || !mac || extra !== undefined) return { reason: 'The upload token is malformed' };
    const expected = this.#mac(payload);
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { reason: 'The upload token is not authentic' };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return { reason: 'The upload token is malformed' };
    }
    const claims = ClaimsSchema.safeParse(parsed);
    if (!claims.success) return { reason: 'The upload token is malformed' };
    if (claims.data.expiresAt < nowSeconds) return { reason: 'The upload token has expired' };
    return claims.data;
  }
}
