import { createHash } from 'node:crypto';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { Caller } from '../auth';
import { HttpError } from '../errors';
import type { SigningCredentials } from '../sigv4';
import type { Storage } from '../storage';
import { sessionPolicy } from './session-policy';

/** What the signer uses for one caller: the credentials that sign their URLs and the client for their S3 calls. */
export interface UserAccess {
  credentials: SigningCredentials;
  storage: Storage;
  /** `seconds`, cut so that a URL signed now expires no later than the credentials that sign it. */
  ttl(seconds: number): number;
}

/** How the signer reaches the store on a caller's behalf. */
export interface StoreAccess {
  /** True when each caller's URLs are signed with credentials limited to their own keys. */
  readonly scoped: boolean;
  /** The access to use for `caller`. */
  for(caller: Caller): Promise<UserAccess>;
}

/** Access with the signer's own credentials for everyone: each URL can do whatever those credentials can. */
export function signerAccess(storage: Storage): StoreAccess {
  return {
    scoped: false,
    async for() {
      return { credentials: await storage.credentials(), storage, ttl: (seconds) => seconds };
    },
  };
}

/** Sessions kept at once; the least recently used goes first. Each holds one S3 client. */
const MAX_SESSIONS = 10_000;

/** What a role session for one caller is made from. */
export interface ScopedSessionOptions {
  sts: STSClient;
  roleArn: string;
  bucket: string;
  region: string;
  sessionSeconds: number;
  /** Builds the S3 client a session's calls go through. */
  storageFor(credentials: SigningCredentials): Storage;
  /** Called for each session STS grants. */
  onAssumed?: () => void;
  /** The clock, in milliseconds; tests move it to make sessions age. */
  now?: () => number;
}

interface Session {
  access: UserAccess;
  renewAt: number;
}

/** A role session name (2-64 of `[\w+=,.@-]`) that says whose it is and stays unique per caller. */
function sessionName(caller: Caller): string {
  const readable = caller.id.replace(/[^\w+=,.@-]/gu, '_').slice(0, 40);
  const digest = createHash('sha256').update(caller.id).digest('hex').slice(0, 16);
  return `hoist-${readable}-${digest}`;
}

const cacheKey = (caller: Caller): string => JSON.stringify([caller.id, caller.prefix, caller.destinations ?? null]);

/**
 * One STS role session per caller, whose session policy allows only that caller's keys (`sessionPolicy`),
 * cached and renewed halfway through its life; URL lifetimes are cut to what is left of it.
 */
export class ScopedSessions implements StoreAccess {
  readonly scoped = true;
  readonly #options: ScopedSessionOptions;
  readonly #now: () => number;
  readonly #sessions = new Map<string, { session: Promise<Session>; renewAt: number }>();

  constructor(options: ScopedSessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async for(caller: Caller): Promise<UserAccess> {
    const key = cacheKey(caller);
    let entry = this.#sessions.get(key);
    this.#sessions.delete(key);
    if (!entry || this.#now() >= entry.renewAt) {
      const session = this.#assume(caller);
      const fresh = { session, renewAt: Number.POSITIVE_INFINITY };
      session.then(
        (made) => {
          fresh.renewAt = made.renewAt;
        },
        () => {
          if (this.#sessions.get(key) === fresh) this.#sessions.delete(key);
        },
      );
      entry = fresh;
    }
    this.#sessions.set(key, entry);
    if (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return (await entry.session).access;
  }

  /** Asks STS for a session limited to the caller's keys; a failure is a 503 the client may retry. */
  async #assume(caller: Caller): Promise<Session> {
    const { sts, roleArn, bucket, region, sessionSeconds, storageFor, onAssumed } = this.#options;
    let answer;
    try {
      answer = await sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: sessionName(caller),
          DurationSeconds: sessionSeconds,
          Policy: sessionPolicy(bucket, region, caller),
        }),
      );
    } catch (error) {
      throw new HttpError(
        503,
        'store-credentials-unavailable',
        `The signer could not get credentials for your uploads from STS (${(error as Error).name}); retry shortly`,
        undefined,
        { 'retry-after': '5' },
      );
    }
    const given = answer.Credentials;
    if (!given?.AccessKeyId || !given.SecretAccessKey || !given.SessionToken || !given.Expiration) {
      throw new HttpError(503, 'store-credentials-unavailable', 'STS answered without complete credentials');
    }
    onAssumed?.();
    const issuedAt = this.#now();
    const expiresAt = issuedAt + (given.Expiration.getTime() - Date.now());
    const credentials = {
      accessKeyId: given.AccessKeyId,
      secretAccessKey: given.SecretAccessKey,
      sessionToken: given.SessionToken,
    };
    return {
      renewAt: issuedAt + (expiresAt - issuedAt) / 2,
      access: {
        credentials,
        storage: storageFor(credentials),
        ttl: (seconds) => Math.max(1, Math.min(seconds, Math.floor((expiresAt - this.#now()) / 1000))),
      },
    };
  }
}
