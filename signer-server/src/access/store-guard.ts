import { STSClient } from '@aws-sdk/client-sts';
import type { Logger } from 'pino';
import type { Caller } from '../auth';
import { BucketUrls } from '../bucket-urls';
import { ConfigError, type SignerConfig } from '../config';
import type { SignerMetrics } from '../observability/metrics';
import { Storage } from '../storage';
import { ScopedSessions, signerAccess, type StoreAccess, type UserAccess } from './scoped-sessions';
import { LATE_BODY_MS, shortAnswerLag } from './answer-lag';
import { PROBE_FOLDER, probeUnsignedHeaders, type UnsignedHeaderVerdict } from './store-probe';

/** What /readyz says of how URLs are signed and of the store. */
export interface SafetyReport {
  credentials: 'scoped' | 'signer';
  unsignedHeaders: UnsignedHeaderVerdict['verdict'];
  advisory?: typeof ADVISORY;
}

const ADVISORY = 'CVE-2026-54330';
const FIXED_IN = 'Ceph Squid 19.2.6 or Tentacle 20.2.4';
/** How long one probe answers /readyz: it writes and deletes an object, so not on every check. */
const PROBE_CACHE_MS = 10 * 60_000;

/** What a StoreGuard may be given instead of its defaults (tests move the sessions' clock). */
export interface StoreGuardOptions {
  now?: () => number;
  /**
   * The embedded development store (s3rver on this machine, one user): what would be a warning for a
   * team's signer is only debug detail there, so `hoist push` on it prints none of it.
   */
  embedded?: boolean;
}

/**
 * Decides, once at start, how each caller's URLs are signed (a role session limited to their keys when
 * `s3.roleArn` is set and STS grants it, the signer's own credentials otherwise, said loudly) and probes
 * whether the store ignores unsigned headers; refuses to start where `store.requireSafeUrls` asks it to.
 */
export class StoreGuard {
  readonly #config: SignerConfig;
  readonly #storage: Storage;
  readonly #log: Logger;
  readonly #metrics: SignerMetrics;
  readonly #options: StoreGuardOptions;
  #access: StoreAccess | undefined;
  #probe: { at: number; verdict: Promise<UnsignedHeaderVerdict> } | undefined;
  #unsignedAccepted = false;

  constructor(
    config: SignerConfig,
    storage: Storage,
    log: Logger,
    metrics: SignerMetrics,
    options: StoreGuardOptions = {},
  ) {
    this.#config = config;
    this.#storage = storage;
    this.#log = log;
    this.#metrics = metrics;
    this.#options = options;
  }

  /**
   * Checks the credentials and the bucket, settles how URLs are signed and probes the store; throws a
   * ConfigError, saying why, when there are no credentials, no bucket (unless `store.startDegraded`) or
   * an unsafe store that `store.requireSafeUrls` forbids. Times the store's short answers too (four
   * GETs on one connection, ~10 ms on a store that answers at once).
   */
  async start(): Promise<void> {
    const reachable = await this.#preflight();
    this.#access = await this.#chooseAccess();
    this.#metrics.scopedCredentials(this.#access.scoped);
    const verdict = await this.#verdict();
    if (verdict.verdict === 'accepted' && this.#config.store.requireSafeUrls && !this.#access.scoped) {
      throw new ConfigError(
        `The store accepts headers a presigned URL did not sign (${ADVISORY}) and \`store.requireSafeUrls\` is set: ` +
          `give \`s3.roleArn\` (a role STS lets the signer assume) so each URL is limited to its owner's keys, or upgrade the store to ${FIXED_IN}`,
      );
    }
    // The embedded store (s3rver, Node's HTTP server) answers at once: a push on it is not held up to time it.
    if (reachable && !this.#options.embedded) await this.#timeShortAnswers();
  }

  /** Warns when the store holds back the body of each short answer, which each multipart upload waits for twice. */
  async #timeShortAnswers(): Promise<void> {
    let lag;
    try {
      lag = await shortAnswerLag(new BucketUrls(this.#config.s3), await this.#storage.credentials());
    } catch (error) {
      this.#log.debug({ reason: (error as Error).message }, "Could not time the store's short answers");
      return;
    }
    if (lag < LATE_BODY_MS) return;
    this.#loud('warn')(
      { shortAnswerLagMs: Math.round(lag) },
      `The store sends each short answer's body ${Math.round(lag)} ms after its headers (Nagle's algorithm meeting delayed ACKs): ` +
        'creating and completing each multipart upload waits for it, and so does every short listing; ' +
        'on Ceph RGW, add `tcp_nodelay=1` to `rgw frontends`',
    );
  }

  /**
   * Resolves the credentials and asks the bucket once: a signer that cannot sign anything says so at
   * start. True when both answered.
   */
  async #preflight(): Promise<boolean> {
    const { s3, store } = this.#config;
    let problem: string | undefined;
    try {
      await this.#storage.credentials();
      const bucket = await this.#storage.bucketProblem();
      if (bucket) {
        problem = `The bucket \`${s3.bucket}\` did not answer at ${s3.endpoint ?? `AWS (${s3.region})`}: ${bucket}`;
      }
    } catch (error) {
      problem =
        `No S3 credentials: the AWS SDK's chain found none (environment AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ` +
        'the shared files ~/.aws/credentials and ~/.aws/config with AWS_PROFILE, SSO, web identity ' +
        `(AWS_WEB_IDENTITY_TOKEN_FILE), ECS container credentials, EC2 instance metadata): ${(error as Error).message}`;
    }
    if (!problem) return true;
    if (!store.startDegraded)
      throw new ConfigError(`${problem}; the signer does not start (set \`store.startDegraded\` to start anyway)`);
    this.#log.error(
      { event: 'degraded-start' },
      `${problem}; starting anyway (store.startDegraded), /readyz answers 503`,
    );
    return false;
  }

  /** True when each caller's URLs are signed with a session limited to their keys. */
  get scoped(): boolean {
    return this.#access?.scoped ?? false;
  }

  /** True when the store was found to accept unsigned headers: PUT URLs then sign the ACL too. */
  get unsignedHeadersAccepted(): boolean {
    return this.#unsignedAccepted;
  }

  /** The credentials and S3 client to use for `caller`. */
  for(caller: Caller): Promise<UserAccess> {
    if (!this.#access) throw new Error('StoreGuard.for() called before start()');
    return this.#access.for(caller);
  }

  /** What /readyz reports; the probe is repeated at most every ten minutes. */
  async report(): Promise<SafetyReport> {
    const { verdict } = await this.#verdict();
    return {
      credentials: this.scoped ? 'scoped' : 'signer',
      unsignedHeaders: verdict,
      ...(verdict === 'accepted' ? { advisory: ADVISORY } : {}),
    };
  }

  /** Where warnings go: the log's warn and error levels, or debug for the embedded store. */
  #loud(level: 'warn' | 'error'): Logger['warn'] {
    return this.#options.embedded ? this.#log.debug.bind(this.#log) : this.#log[level].bind(this.#log);
  }

  async #chooseAccess(): Promise<StoreAccess> {
    const { s3 } = this.#config;
    const own = this.#storage;
    if (!s3.roleArn) {
      this.#loud('warn')(
        { credentials: 'signer' },
        "Signing every URL with the signer's own credentials: on a store that ignores unsigned headers a URL's holder can do whatever they allow; set `s3.roleArn` to sign each user's URLs with a session limited to their keys",
      );
      return signerAccess(own);
    }
    const endpoint = s3.stsEndpoint ?? s3.endpoint;
    const sessions = new ScopedSessions({
      sts: new STSClient({
        region: s3.region,
        ...(endpoint ? { endpoint } : {}),
        credentials: own.client.config.credentials,
      }),
      roleArn: s3.roleArn,
      bucket: s3.bucket,
      region: s3.region,
      sessionSeconds: s3.sessionSeconds,
      storageFor: (credentials) => new Storage(s3, credentials, own.client.config.requestHandler),
      onAssumed: () => this.#metrics.sessionAssumed(),
      ...(this.#options.now ? { now: this.#options.now } : {}),
    });
    try {
      await sessions.for({ id: 'hoist-start-check', prefix: PROBE_FOLDER });
    } catch (error) {
      this.#loud('error')(
        { credentials: 'signer', roleArn: s3.roleArn, reason: (error as Error).message },
        `STS would not let the signer assume \`${s3.roleArn}\`: signing every URL with the signer's own credentials instead (a store without STS, or a role that does not trust them)`,
      );
      return signerAccess(own);
    }
    this.#log.info(
      { credentials: 'scoped', roleArn: s3.roleArn },
      "Signing each user's URLs with a role session limited to their keys",
    );
    return sessions;
  }

  /** The probe's verdict, from the cache while it is fresh; logs and counts each new one. */
  #verdict(): Promise<UnsignedHeaderVerdict> {
    const now = performance.now();
    if (this.#probe && now - this.#probe.at < PROBE_CACHE_MS) return this.#probe.verdict;
    const verdict = this.#runProbe();
    this.#probe = { at: now, verdict };
    return verdict;
  }

  async #runProbe(): Promise<UnsignedHeaderVerdict> {
    const own = this.#storage;
    let credentials;
    try {
      credentials = await own.credentials();
    } catch (error) {
      return { verdict: 'unknown', detail: `no credentials to probe with: ${(error as Error).message}` };
    }
    const found = await probeUnsignedHeaders(new BucketUrls(this.#config.s3), credentials, (key) => own.delete(key));
    this.#unsignedAccepted = found.verdict === 'accepted' || (this.#unsignedAccepted && found.verdict === 'unknown');
    this.#metrics.unsignedHeaders(found.verdict);
    if (found.verdict === 'accepted') {
      this.#loud('error')(
        { advisory: ADVISORY, fixedIn: FIXED_IN, credentials: this.scoped ? 'scoped' : 'signer' },
        `The store accepts x-amz-* headers that a presigned URL did not sign (${ADVISORY}): ` +
          (this.scoped
            ? "each user's URLs are signed with a session limited to their keys, and PUT URLs sign the ACL; upgrade the store to "
            : "whoever holds an upload URL can copy any object the signer's credentials can read into it; set `s3.roleArn`, or upgrade the store to ") +
          FIXED_IN,
      );
    } else if (found.verdict === 'unknown') {
      this.#loud('warn')(
        { detail: found.detail },
        'Could not tell whether the store refuses headers a URL did not sign',
      );
    }
    return found;
  }
}
