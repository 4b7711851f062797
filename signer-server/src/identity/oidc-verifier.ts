import { createRemoteJWKSet, decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Caller, TokenVerifier } from '../auth';
import type { OidcConfig } from '../config';
import { HttpError } from '../errors';
import { isWithinPrefix } from '@hoist/protocol';
import { prefixFromClaim, prefixFromTemplate } from './claim-prefix';

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/u;
const FETCH_TIMEOUT_MS = 5000;
/** How long a failed discovery answers for the provider: a flood of tokens then costs it one request per period. */
const FAILURE_CACHE_MS = 10_000;

/** Whether a bearer credential has the shape of a JWT (three base64url parts), as no static token does. */
export function looksLikeJwt(token: string): boolean {
  return JWT_SHAPE.test(token);
}

const unauthorized = (message: string): HttpError =>
  new HttpError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer error="invalid_token"' });

const unreachable = (issuer: string, detail: string): HttpError =>
  new HttpError(
    503,
    'identity-provider-unreachable',
    `The identity provider \`${issuer}\` could not be reached to check the token (${detail}); retry shortly`,
    undefined,
    { 'retry-after': '5' },
  );

/** The issuer a token claims, read without trusting it: only to say why a token that failed was refused. */
function claimedIssuer(token: string): unknown {
  try {
    return decodeJwt(token).iss;
  } catch {
    return undefined;
  }
}

/** Why a token failed, for the person holding it: expired, another issuer or audience, an unknown key. */
function rejection(error: unknown, token: string, config: OidcConfig): HttpError | undefined {
  const foreign = claimedIssuer(token) !== config.issuer;
  if (
    foreign &&
    (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey)
  ) {
    return unauthorized(`The token is not from \`${config.issuer}\`, the issuer this signer trusts`);
  }
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? ` at ${new Date(error.payload.exp * 1000).toISOString()}` : '';
    return unauthorized(`The token expired${exp}; sign in again (\`hoist login\`)`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss')
      return unauthorized(`The token is not from \`${config.issuer}\`, the issuer this signer trusts`);
    if (error.claim === 'aud')
      return unauthorized(`The token is not meant for this signer (audience \`${config.audience}\`)`);
    return unauthorized(`The token's \`${error.claim}\` claim is not valid (${error.reason})`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return unauthorized(`The token is signed with a key \`${config.issuer}\` does not publish`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return unauthorized(
      `The token is signed with an algorithm this signer does not accept (${config.algorithms.join(', ')})`,
    );
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) return undefined;
  if (error instanceof errors.JOSEError) return unauthorized('The bearer token is not valid');
  return undefined;
}

/**
 * Verifies JWT access tokens of one OpenID provider: signature against its JWKS (found by discovery,
 * cached, fetched again for an unknown key id), issuer, audience and expiry; the caller's id and prefix
 * come from claims. A prefix that meets a static user's is refused.
 */
export class OidcVerifier implements TokenVerifier {
  readonly #config: OidcConfig;
  readonly #staticPrefixes: () => readonly string[];
  #keys: Promise<JWTVerifyGetKey> | undefined;

  /** `staticPrefixes` gives the configured users' prefixes now (they change on a reload). */
  constructor(config: OidcConfig, staticPrefixes: () => readonly string[]) {
    this.#config = config;
    this.#staticPrefixes = staticPrefixes;
  }

  async verify(token: string): Promise<Caller | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    const config = this.#config;
    // Read before anything is fetched: a token that does not even claim the trusted issuer costs no request.
    if (claimedIssuer(token) !== config.issuer) {
      throw unauthorized(`The token is not from \`${config.issuer}\`, the issuer this signer trusts`);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.#jwks(), {
        issuer: config.issuer,
        audience: config.audience,
        algorithms: config.algorithms,
        clockTolerance: config.clockToleranceSeconds,
        requiredClaims: ['exp', config.userClaim],
      }));
    } catch (error) {
      if (error instanceof HttpError) throw error;
      const refused = rejection(error, token, config);
      if (refused) throw refused;
      throw unreachable(config.issuer, (error as Error).message);
    }
    return this.#caller(payload);
  }

  #caller(payload: JWTPayload): Caller {
    const config = this.#config;
    const user = payload[config.userClaim];
    if (typeof user !== 'string' || user === '') {
      throw unauthorized(`The token's \`${config.userClaim}\` claim does not name a user`);
    }
    const made = config.prefixClaim
      ? prefixFromClaim(config.prefixClaim, config.userClaim, payload)
      : prefixFromTemplate(config.prefixTemplate, payload);
    if ('problem' in made) throw new HttpError(403, 'forbidden', `No prefix for this user: ${made.problem}`);
    const clash = this.#staticPrefixes().find((p) => isWithinPrefix(p, made.prefix) || isWithinPrefix(made.prefix, p));
    if (clash) {
      throw new HttpError(
        403,
        'forbidden',
        `The prefix \`${made.prefix}\` from the token overlaps a configured user's; the signer refuses it`,
      );
    }
    return { id: `oidc:${user}`, prefix: made.prefix };
  }

  /** The JWKS of the issuer, from its discovery document; a failed discovery answers for 10 s, then is tried again. */
  #jwks(): Promise<JWTVerifyGetKey> {
    if (!this.#keys) {
      const keys = this.#discover();
      this.#keys = keys;
      keys.catch(() => {
        setTimeout(() => {
          if (this.#keys === keys) this.#keys = undefined;
        }, FAILURE_CACHE_MS).unref();
      });
    }
    return this.#keys;
  }

  async #discover(): Promise<JWTVerifyGetKey> {
    const issuer = this.#config.issuer;
    const url = `${issuer.replace(/\/$/u, '')}/.well-known/openid-configuration`;
    let document: { issuer?: unknown; jwks_uri?: unknown };
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      document = (await response.json()) as typeof document;
    } catch (error) {
      throw unreachable(issuer, (error as Error).message);
    }
    if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
      throw unreachable(
        issuer,
        `its discovery document names issuer \`${String(document.issuer)}\` and no usable jwks_uri`,
      );
    }
    return createRemoteJWKSet(new URL(document.jwks_uri), {
      timeoutDuration: FETCH_TIMEOUT_MS,
      cooldownDuration: this.#config.jwksCooldownSeconds * 1000,
    });
  }
}
