import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';
import type { QuotaConfig, UserConfig } from './config';
import { HttpError } from './errors';

/** Who is calling, as the verifier established it. */
export interface Caller {
  id: string;
  /** Every key this caller writes starts with `<prefix>/`. */
  prefix: string;
  /** The folders inside the prefix this caller may upload into; any when absent. */
  destinations?: readonly string[];
  /** Whether this caller may replace objects; the policy's setting when absent. */
  overwrite?: boolean;
  /** This caller's own quotas, each in place of the config's. */
  quotas?: QuotaConfig;
}

/** The caller as the config lists them. */
export function callerOf(user: UserConfig): Caller {
  return {
    id: user.id,
    prefix: user.prefix,
    ...(user.destinations ? { destinations: user.destinations } : {}),
    ...(user.overwrite === undefined ? {} : { overwrite: user.overwrite }),
    ...(user.quotas ? { quotas: user.quotas } : {}),
  };
}

/**
 * Turns a bearer credential into a caller, or undefined when it is not one this verifier knows; may throw
 * an HttpError that says why a credential it knows is refused (expired, another issuer).
 */
export interface TokenVerifier {
  verify(token: string): Promise<Caller | undefined>;
}

/** The hex SHA-256 of a token, as stored in the config. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The configured users, replaced whole while the signer runs (a reload on SIGHUP); the verifier reads them. */
export class UserDirectory {
  #users: readonly UserConfig[];
  #stored: { user: UserConfig; hash: Buffer }[];

  constructor(users: readonly UserConfig[]) {
    this.#users = users;
    this.#stored = UserDirectory.#hashes(users);
  }

  static #hashes(users: readonly UserConfig[]): { user: UserConfig; hash: Buffer }[] {
    return users.map((user) => ({ user, hash: Buffer.from(user.tokenSha256, 'hex') }));
  }

  /** The users now. */
  get users(): readonly UserConfig[] {
    return this.#users;
  }

  /** Each user with their token hash as bytes, for constant-time comparison. */
  get stored(): readonly { user: UserConfig; hash: Buffer }[] {
    return this.#stored;
  }

  /** Puts `users` in place of the current ones; requests already verified keep the caller they had. */
  replace(users: readonly UserConfig[]): void {
    this.#users = users;
    this.#stored = UserDirectory.#hashes(users);
  }
}

/** A verifier over tokens stored only as SHA-256 hashes; compares against every user in constant time. */
export function hashedTokenVerifier(directory: UserDirectory): TokenVerifier {
  return {
    async verify(token) {
      const presented = createHash('sha256').update(token, 'utf8').digest();
      let match: UserConfig | undefined;
      for (const { user, hash } of directory.stored) {
        if (timingSafeEqual(presented, hash) && !match) match = user;
      }
      return match && callerOf(match);
    },
  };
}

/** Asks each verifier in turn; the first caller found wins. */
export function verifierChain(verifiers: readonly TokenVerifier[]): TokenVerifier {
  return {
    async verify(token) {
      for (const verifier of verifiers) {
        const caller = await verifier.verify(token);
        if (caller) return caller;
      }
      return undefined;
    },
  };
}

const BEARER = /^Bearer ([\x21-\x7e]{1,4096})$/u;

/** Koa middleware: sets `ctx.state.caller` from a valid bearer token, or answers 401. */
export function authenticate(verifier: TokenVerifier): Middleware {
  return async (ctx, next) => {
    const match = BEARER.exec(ctx.get('authorization'));
    const caller = match?.[1] ? await verifier.verify(match[1]) : undefined;
    if (!caller) {
      const message = match ? 'The bearer token is not valid' : 'Expected an `Authorization: Bearer <token>` header';
      throw new HttpError(401, 'unauthorized', message, undefined, { 'www-authenticate': 'Bearer' });
    }
    ctx.state.caller = caller;
    await next();
  };
}
