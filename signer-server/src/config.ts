import { readFileSync } from 'node:fs';
import * as z from 'zod';
import {
  DEFAULT_ALLOWED_TYPES,
  isLoopbackHost,
  isMediaType,
  isWithinPrefix,
  normaliseDestination,
  parseSize,
  redactUrlCredentials,
} from '@hoist/protocol';
import { meetsTemplate, templateProblem } from './identity/claim-prefix';
import { secretStrengthProblem } from './secret';

const MiB = 1024 * 1024;
const SEVEN_DAYS = 7 * 24 * 3600;

/** A size in bytes, or written for people: `"10 GiB"`, `"500 MB"` (1000²), `"64MiB"` (1024²). */
const Size = z.union([z.number(), z.string()]).transform((written, ctx) => {
  const bytes = typeof written === 'number' ? written : parseSize(written);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'expected a number of bytes or a size such as `10 GiB` or `500 MB`' });
    return z.NEVER;
  }
  return bytes;
});

/** A size setting: written as bytes or with a unit, then checked as a whole number of bytes. */
const size = (check: (bytes: z.ZodNumber) => z.ZodNumber) => Size.pipe(check(z.number().int()));

const TypePattern = z
  .string()
  .refine(
    (p) =>
      p === '*/*' || isMediaType(p) || /^[a-z0-9][a-z0-9!#$&^_.+-]*\/\*$/u.test(p) || /^\.[a-z0-9]{1,16}$/u.test(p),
    { message: 'expected a media type such as `image/png`, `image/*` or `*/*`, or an extension such as `.cr3`' },
  );

const Destination = z.string().superRefine((value, ctx) => {
  const normalised = normaliseDestination(value);
  if ('code' in normalised) ctx.addIssue({ code: 'custom', message: normalised.message });
  else if (normalised.destination !== value)
    ctx.addIssue({ code: 'custom', message: `expected it written as \`${normalised.destination}\`` });
});

const QuotaSchema = z.strictObject({
  /** Bytes a user may have signed in a day (a 24-hour window from their first signed file). */
  bytesPerDay: size((n) => n.positive()).optional(),
  /** Files a user may have signed in a day. */
  filesPerDay: z.number().int().positive().optional(),
  /** Files one batch may hold, across all its requests. */
  filesPerBatch: z.number().int().positive().optional(),
});

const UserSchema = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(128)
    .refine((id) => !id.startsWith('oidc:'), { message: 'ids starting with `oidc:` name users who sign in with OIDC' }),
  tokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/u, 'expected the hex SHA-256 of the token (64 hex digits; `sha256sum` prints it)'),
  prefix: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/u,
      'expected segments of letters, digits, `.`, `_`, `-`',
    ),
  /**
   * The folders inside `prefix` this user may upload into (`["clients", "archive/2026"]`, each with its
   * subfolders); every batch must then name a destination. Absent: any folder inside the prefix.
   */
  destinations: z.array(Destination).min(1).optional(),
  /** Lets this user, or forbids them to, replace objects; `policy.overwrite` when absent. */
  overwrite: z.boolean().optional(),
  /** This user's quotas, each in place of the one in `quotas`. */
  quotas: QuotaSchema.optional(),
});

const PolicyConfigSchema = z.strictObject({
  maxFileSize: size((n) => n.positive()).default(5 * 1024 ** 4),
  allowedTypes: z
    .array(TypePattern)
    .min(1)
    .default(() => [...DEFAULT_ALLOWED_TYPES]),
  maxFilesPerBatch: z.number().int().min(1).max(10_000).default(1000),
  maxBodyBytes: size((n) => n.min(1024)).default(4 * MiB),
  multipartThreshold: size((n) => n.min(5 * MiB).max(5 * 1024 * MiB)).default(64 * MiB),
  partSize: size((n) => n.min(5 * MiB).max(5 * 1024 * MiB)).default(16 * MiB),
  putUrlTtlSeconds: z.number().int().min(1).max(SEVEN_DAYS).default(900),
  viewUrlTtlSeconds: z.number().int().min(30).max(SEVEN_DAYS).default(3600),
  uploadTokenTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(SEVEN_DAYS),
  overwrite: z.boolean().default(false),
});

const JWS_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;

const OidcSchema = z
  .strictObject({
    /** The identity provider; its discovery document names the JWKS and, for `hoist login`, the endpoints. */
    issuer: z.url(),
    /**
     * The `aud` every access token must carry: this signer's own `publicUrl` (what it is by default), so
     * a token obtained through another signer is never accepted here.
     */
    audience: z.string().min(1).optional(),
    /** The public client (no secret) that `hoist login` and the desktop sign in as. */
    clientId: z.string().min(1),
    /** The claim that names the user; unique per user at the provider. */
    userClaim: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/u)
      .default('sub'),
    /** Where each user writes, made from claims; ignored when `prefixClaim` is set. */
    prefixTemplate: z.string().default('users/{sub}'),
    /** A claim that names the user's folder, when the provider assigns them; the prefix is `<folder>/@<user>`. */
    prefixClaim: z.string().min(1).optional(),
    scopes: z.array(z.string().min(1)).default(['openid', 'offline_access']),
    algorithms: z.array(z.enum(JWS_ALGORITHMS)).min(1).default(['RS256', 'PS256', 'ES256', 'EdDSA']),
    /** Seconds after fetching the JWKS before a token with an unknown key id may fetch it again. */
    jwksCooldownSeconds: z.number().int().min(0).max(3600).default(30),
    clockToleranceSeconds: z.number().int().min(0).max(300).default(30),
  })
  .superRefine((oidc, ctx) => {
    if (!oidc.prefixClaim) {
      const problem = templateProblem(oidc.prefixTemplate, oidc.userClaim);
      if (problem) ctx.addIssue({ code: 'custom', path: ['prefixTemplate'], message: problem });
    }
    const url = new URL(oidc.issuer);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
      ctx.addIssue({
        code: 'custom',
        path: ['issuer'],
        message: 'expected an `https:` issuer (`http:` only on loopback)',
      });
    }
  });

const RedisSchema = z.strictObject({
  url: z.string().regex(/^rediss?:\/\/\S+$/u, 'expected a `redis://` or `rediss://` URL'),
  /** When Redis cannot be reached: refuse requests with 503, or count per replica until it is back. */
  whenDown: z.enum(['refuse', 'per-replica']).default('refuse'),
  keyPrefix: z.string().min(1).default('hoist:'),
});

const Secret = z.string().superRefine((value, ctx) => {
  const problem = secretStrengthProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const Origin = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  },
  { message: 'expected an origin such as `https://app.example.com` (scheme and host, no path; not `*` or `null`)' },
);

const RateLimitSchema = z
  .strictObject({
    max: z.number().int().min(1).default(600),
    windowMs: z.number().int().min(100).default(60_000),
    /** Requests per client address in the window, counted before authentication; twice `max` by default. */
    addressMax: z.number().int().min(1).optional(),
    /** Failed sign-ins (401) per client address in the window before it is refused with 429. */
    authFailureMax: z.number().int().min(1).default(30),
  })
  .transform((r) => ({ ...r, addressMax: r.addressMax ?? 2 * r.max }));

/** Every setting of the signer, validated. */
const FieldsSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  /** A certificate and key in PEM files: the signer then serves HTTPS itself. */
  tls: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
  /** Set when a TLS-terminating proxy sits in front: plain HTTP on any address, client address from it. */
  behindTlsProxy: z.boolean().default(false),
  /**
   * The origin clients reach this signer at (`https://signer.example.com`): with `oidc`, the audience of
   * the tokens it accepts, which clients check before they sign in.
   */
  publicUrl: Origin.optional(),
  /**
   * A page that shows a folder of the bucket (the store's console, a file browser), with `{path}` where
   * the folder's key prefix goes and optionally `{bucket}`: clients then offer to open where files went.
   */
  browseUrl: z
    .url({ protocol: /^https?$/u })
    .refine((url) => url.includes('{path}'), 'expected `{path}` where the folder goes')
    .optional(),
  /**
   * Behind proxies, how many of them append to X-Forwarded-For and are trusted: the client's address is
   * that many entries from the right. One for a single TLS proxy; two for a CDN in front of it.
   */
  proxyHops: z.number().int().min(1).max(10).default(1),
  s3: z.strictObject({
    bucket: z.string().min(3).max(63),
    region: z.string().min(1).default('us-east-1'),
    endpoint: z.url().optional(),
    /**
     * Where clients reach the store, when not at `endpoint`: the signer's own calls go to `endpoint` (an
     * address inside the network, say), upload URLs name this one.
     */
    publicEndpoint: z.url().optional(),
    forcePathStyle: z.boolean().default(false),
    /**
     * A role the signer assumes (STS AssumeRole) once per user, with a session policy that allows only that
     * user's keys: every URL it hands out can then do no more than its owner could, whatever the store.
     */
    roleArn: z
      .string()
      .regex(
        /^arn:[a-z-]+:iam::\d*:role\/[\w+=,.@/-]+$/u,
        'expected a role ARN such as `arn:aws:iam::123456789012:role/hoist-signer`',
      )
      .optional(),
    /** Where STS answers: the store's `endpoint` by default when one is set (Ceph RGW, MinIO), AWS's regional STS otherwise. */
    stsEndpoint: z.url().optional(),
    /** How long each user's scoped session lasts; renewed halfway, so a URL gets at least half of it. */
    sessionSeconds: z.number().int().min(900).max(43_200).default(3600),
  }),
  /** What the signer asks of the store it signs for. */
  store: z
    .strictObject({
      /**
       * Start even when no credentials resolve or the bucket does not answer at start (logged as errors,
       * `/readyz` answering 503 until it does); by default the signer refuses to start, saying why.
       */
      startDegraded: z.boolean().default(false),
      /**
       * Refuse to start on a store that accepts headers a URL did not sign (CVE-2026-54330) unless each
       * user's URLs are signed with scoped credentials (`s3.roleArn`).
       */
      requireSafeUrls: z.boolean().default(false),
    })
    .default({ startDegraded: false, requireSafeUrls: false }),
  /** Seconds a SIGTERM or SIGINT waits for requests in flight to finish before it closes their connections. */
  shutdownGraceSeconds: z.number().min(0).max(600).default(20),
  users: z.array(UserSchema).default([]),
  /** Sign-in with the team's OpenID provider: its JWT access tokens are accepted beside static tokens. */
  oidc: OidcSchema.optional(),
  tokenSecret: Secret,
  /** The secret before the last rotation: tokens it signed still verify, new ones use `tokenSecret`. */
  previousTokenSecret: Secret.optional(),
  policy: PolicyConfigSchema.default(PolicyConfigSchema.parse({})),
  rateLimit: RateLimitSchema.default(RateLimitSchema.parse({})),
  quotas: QuotaSchema.default({}),
  /** Where every replica counts limits and quotas; without it each replica counts alone, in memory. */
  redis: RedisSchema.optional(),
  corsOrigins: z.array(Origin).default([]),
  /** When set, `GET /metrics` asks for this token (its hex SHA-256 here); open otherwise. */
  metricsTokenSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/u, 'expected the hex SHA-256 of the token')
    .optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
});

type Fields = z.infer<typeof FieldsSchema>;

/** Each issue found across users: a repeated id or token, or prefixes that nest, naming both users. */
function checkUsers(users: Fields['users'], ctx: z.RefinementCtx): void {
  users.forEach((user, i) => {
    for (let j = 0; j < i; j++) {
      const other = users[j]!;
      const issue = (message: string, key: keyof typeof user) =>
        ctx.addIssue({ code: 'custom', path: ['users', i, key], message });
      // A user written twice is one problem, not three (id, token and prefix all repeat).
      if (other.id === user.id) {
        issue(`user id \`${user.id}\` is given twice (users ${j} and ${i})`, 'id');
        continue;
      }
      if (other.tokenSha256 === user.tokenSha256) {
        issue(`users \`${other.id}\` and \`${user.id}\` have the same token; each needs its own`, 'tokenSha256');
      }
      if (isWithinPrefix(user.prefix, other.prefix) || isWithinPrefix(other.prefix, user.prefix)) {
        issue(
          `the prefixes of users \`${other.id}\` (\`${other.prefix}\`) and \`${user.id}\` (\`${user.prefix}\`) overlap; ` +
            "one could write or read the other's files: give each user a prefix that is not inside another's",
          'prefix',
        );
      }
    }
  });
}

/** Each static user whose prefix could meet the prefix of a user who signs in with OIDC. */
function checkOidcOverlap(config: Fields, ctx: z.RefinementCtx): void {
  const oidc = config.oidc;
  if (!oidc || oidc.prefixClaim) return;
  config.users.forEach((user, i) => {
    if (!meetsTemplate(user.prefix, oidc.prefixTemplate)) return;
    ctx.addIssue({
      code: 'custom',
      path: ['users', i, 'prefix'],
      message:
        `the prefix of user \`${user.id}\` (\`${user.prefix}\`) overlaps \`oidc.prefixTemplate\` (\`${oidc.prefixTemplate}\`); ` +
        "a user who signs in could write or read this user's files: keep static users outside the template's folder",
    });
  });
}

/** With `oidc`, the signer's public origin must be named, and any audience given must be it. */
function checkAudience(config: Fields, ctx: z.RefinementCtx): void {
  if (!config.oidc) return;
  if (!config.publicUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['publicUrl'],
      message:
        'with `oidc`, name the origin clients reach this signer at: tokens must be meant for it, so a sign-in cannot be relayed through another signer',
    });
  } else if (config.oidc.audience !== undefined && config.oidc.audience !== config.publicUrl) {
    ctx.addIssue({
      code: 'custom',
      path: ['oidc', 'audience'],
      message: `must be \`publicUrl\` (\`${config.publicUrl}\`), or left out: a token for any other audience could come from a sign-in relayed by another signer`,
    });
  }
}

export const ConfigSchema = FieldsSchema.superRefine((config, ctx) => {
  checkUsers(config.users, ctx);
  checkOidcOverlap(config, ctx);
  checkAudience(config, ctx);
  if (!config.users.length && !config.oidc) {
    ctx.addIssue({ code: 'custom', path: ['users'], message: 'give at least one user, or `oidc` to sign users in' });
  }
  if (config.previousTokenSecret === config.tokenSecret) {
    ctx.addIssue({
      code: 'custom',
      path: ['previousTokenSecret'],
      message: 'is the same as `tokenSecret`; after a rotation it holds the old secret',
    });
  }
  if (!isLoopbackHost(config.host) && !config.tls && !config.behindTlsProxy) {
    ctx.addIssue({
      code: 'custom',
      path: ['host'],
      message:
        `\`${config.host}\` is reachable from other machines, and tokens must not cross a network in plain HTTP: ` +
        'give `tls.certFile` and `tls.keyFile`, or set `behindTlsProxy` when a TLS proxy sits in front',
    });
  }
});

/** The settings with defaults that depend on others filled in: the OIDC audience is the public origin. */
const ResolvedConfigSchema = ConfigSchema.transform(
  ({ oidc, ...config }): Omit<Fields, 'oidc'> & { oidc?: Fields['oidc'] & { audience: string } } =>
    oidc ? { ...config, oidc: { ...oidc, audience: oidc.audience ?? config.publicUrl! } } : config,
);

export type SignerConfig = z.infer<typeof ResolvedConfigSchema>;
export type PolicyConfig = SignerConfig['policy'];
export type UserConfig = SignerConfig['users'][number];
export type OidcConfig = NonNullable<SignerConfig['oidc']>;
export type QuotaConfig = SignerConfig['quotas'];
/** Settings as written by a person, before defaults are applied. */
export type SignerConfigInput = z.input<typeof ResolvedConfigSchema>;

/** Thrown when a setting is missing or wrong; the message names the setting and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Where in `text` the parser stopped, as a line and column, when its message names a position. */
function whereJsonFailed(text: string, message: string): string {
  const lineColumn = /line (\d+) column (\d+)/u.exec(message);
  if (lineColumn) return ` at line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /position (\d+)/u.exec(message)?.[1];
  if (position === undefined) return '';
  const before = text.slice(0, Number(position)).split('\n');
  return ` at line ${before.length}, column ${before.at(-1)!.length + 1}`;
}

// The JSON may hold secrets, so the error names where the parser stopped, never the text around it.
function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new ConfigError(
      `Expected \`${name}\` to be JSON: it is not valid${whereJsonFailed(value, (error as Error).message)}`,
    );
  }
}

function number(name: string, value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed)) {
    throw new ConfigError(`Expected \`${name}\` to be a number, got \`${value}\``);
  }
  return parsed;
}

/** Reads the settings that the environment names, leaving out what it does not set. */
function fromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const s3: Record<string, unknown> = {};
  const policy: Record<string, unknown> = {};
  if (env.HOIST_SIGNER_HOST) out.host = env.HOIST_SIGNER_HOST;
  if (env.HOIST_SIGNER_PORT) out.port = number('HOIST_SIGNER_PORT', env.HOIST_SIGNER_PORT);
  if (env.HOIST_USERS) out.users = parseJson('HOIST_USERS', env.HOIST_USERS);
  if (env.HOIST_TOKEN_SECRET) out.tokenSecret = env.HOIST_TOKEN_SECRET;
  if (env.HOIST_PREVIOUS_TOKEN_SECRET) out.previousTokenSecret = env.HOIST_PREVIOUS_TOKEN_SECRET;
  if (env.HOIST_BEHIND_TLS_PROXY) out.behindTlsProxy = env.HOIST_BEHIND_TLS_PROXY === 'true';
  if (env.HOIST_PROXY_HOPS) out.proxyHops = number('HOIST_PROXY_HOPS', env.HOIST_PROXY_HOPS);
  if (env.HOIST_TLS_CERT || env.HOIST_TLS_KEY) out.tls = { certFile: env.HOIST_TLS_CERT, keyFile: env.HOIST_TLS_KEY };
  if (env.HOIST_PUBLIC_URL) out.publicUrl = env.HOIST_PUBLIC_URL;
  if (env.HOIST_BROWSE_URL) out.browseUrl = env.HOIST_BROWSE_URL;
  if (env.HOIST_CORS_ORIGINS) out.corsOrigins = list(env.HOIST_CORS_ORIGINS);
  if (env.HOIST_LOG_LEVEL) out.logLevel = env.HOIST_LOG_LEVEL;
  if (env.HOIST_OIDC) out.oidc = parseJson('HOIST_OIDC', env.HOIST_OIDC);
  if (env.HOIST_REDIS_URL) {
    out.redis = {
      url: env.HOIST_REDIS_URL,
      ...(env.HOIST_REDIS_WHEN_DOWN ? { whenDown: env.HOIST_REDIS_WHEN_DOWN } : {}),
    };
  }
  if (env.HOIST_S3_BUCKET) s3.bucket = env.HOIST_S3_BUCKET;
  const region = env.HOIST_S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) s3.region = region;
  const endpoint = env.HOIST_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) s3.endpoint = endpoint;
  if (env.HOIST_S3_PUBLIC_ENDPOINT) s3.publicEndpoint = env.HOIST_S3_PUBLIC_ENDPOINT;
  if (env.HOIST_S3_ROLE_ARN) s3.roleArn = env.HOIST_S3_ROLE_ARN;
  if (env.HOIST_S3_STS_ENDPOINT) s3.stsEndpoint = env.HOIST_S3_STS_ENDPOINT;
  const store: Record<string, unknown> = {};
  if (env.HOIST_REQUIRE_SAFE_URLS) store.requireSafeUrls = env.HOIST_REQUIRE_SAFE_URLS === 'true';
  if (env.HOIST_START_DEGRADED) store.startDegraded = env.HOIST_START_DEGRADED === 'true';
  if (Object.keys(store).length) out.store = store;
  if (env.HOIST_S3_FORCE_PATH_STYLE) s3.forcePathStyle = env.HOIST_S3_FORCE_PATH_STYLE === 'true';
  if (env.HOIST_MAX_FILE_SIZE) policy.maxFileSize = env.HOIST_MAX_FILE_SIZE;
  if (env.HOIST_ALLOWED_TYPES) policy.allowedTypes = list(env.HOIST_ALLOWED_TYPES);
  if (env.HOIST_OVERWRITE) policy.overwrite = env.HOIST_OVERWRITE === 'true';
  if (Object.keys(s3).length) out.s3 = s3;
  if (Object.keys(policy).length) out.policy = policy;
  return out;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    const bothObjects = [current, value].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? merge(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return out;
}

// Settings whose values are secret, or where a person may paste a secret by mistake (a raw token).
const SECRET_SETTING = /secret|token/iu;

/** The value an issue may show: a plain value of a setting that holds no secret, else nothing. */
function shownValue(issue: z.core.$ZodIssue): string {
  if (!('input' in issue) || issue.input === undefined) return '';
  if (issue.path.some((p) => typeof p === 'string' && SECRET_SETTING.test(p)))
    return ' (value not shown: it is secret)';
  if (typeof issue.input === 'object' && issue.input !== null) return '';
  return `, got \`${redactUrlCredentials(JSON.stringify(issue.input))}\``;
}

/** Where an issue is, as a person finds it in the file: a user by id (`users[ana].prefix`) rather than index. */
function issuePlace(path: readonly PropertyKey[], raw: unknown): string {
  const users = (raw as { users?: unknown } | null)?.users;
  const id = Array.isArray(users) && typeof path[1] === 'number' ? (users[path[1]] as { id?: unknown })?.id : undefined;
  if (path[0] === 'users' && typeof id === 'string' && /^[\w.@:-]{1,64}$/u.test(id)) {
    return [`users[${id}]`, ...path.slice(2).map(String)].join('.');
  }
  return path.map(String).join('.') || '(root)';
}

/** Throws a ConfigError naming what is wrong with one user's entry (its id, prefix or token hash). */
export function checkUser(entry: unknown): void {
  const result = UserSchema.safeParse(entry, { reportInput: true });
  if (!result.success) {
    throw new ConfigError(
      result.error.issues
        .map((issue) => `Invalid user \`${issue.path.join('.')}\`: ${issue.message}${shownValue(issue)}`)
        .join('\n'),
    );
  }
}

/** Validates raw settings, throwing a ConfigError that names each bad setting and, unless secret, its value. */
export function parseConfig(raw: unknown): SignerConfig {
  const result = ResolvedConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const where = issuePlace(issue.path, raw);
    const unknown =
      issue.code === 'unrecognized_keys' ? `: unknown ${issue.keys.map((k) => `\`${k}\``).join(', ')}` : '';
    const message = issue.code === 'unrecognized_keys' ? 'not a setting' : issue.message;
    return `Invalid setting \`${where}\`: ${message}${unknown}${unknown ? '' : shownValue(issue)}`;
  });
  throw new ConfigError([...new Set(lines)].join('\n'));
}

/** Loads settings from the JSON file named by HOIST_SIGNER_CONFIG (if any), then the environment on top. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: Record<string, unknown> = {}): SignerConfig {
  let file: Record<string, unknown> = {};
  if (env.HOIST_SIGNER_CONFIG) {
    let text: string;
    try {
      text = readFileSync(env.HOIST_SIGNER_CONFIG, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `Cannot read \`HOIST_SIGNER_CONFIG\` file \`${env.HOIST_SIGNER_CONFIG}\`: ${String(error)}`,
      );
    }
    file = parseJson(env.HOIST_SIGNER_CONFIG, text) as Record<string, unknown>;
  }
  return parseConfig(merge(merge(defaults, file), fromEnv(env)));
}
