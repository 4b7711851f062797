import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { isMediaType } from './protocol';

const MiB = 1024 * 1024;
const SEVEN_DAYS = 7 * 24 * 3600;

const TypePattern = z
  .string()
  .refine((p) => p === '*/*' || isMediaType(p) || /^[a-z0-9][a-z0-9!#$&^_.+-]*\/\*$/u.test(p), {
    message: 'expected a media type such as `image/png`, `image/*` or `*/*`',
  });

const UserSchema = z.strictObject({
  id: z.string().min(1).max(128),
  tokenSha256: z.string().regex(/^[0-9a-f]{64}$/u, 'expected the hex SHA-256 of the token'),
  prefix: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/u,
      'expected segments of letters, digits, `.`, `_`, `-`',
    ),
});

const PolicyConfigSchema = z.strictObject({
  maxFileSize: z
    .number()
    .int()
    .positive()
    .default(5 * 1024 ** 4),
  allowedTypes: z.array(TypePattern).min(1).default(['*/*']),
  maxFilesPerBatch: z.number().int().min(1).max(10_000).default(1000),
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .default(4 * MiB),
  multipartThreshold: z
    .number()
    .int()
    .min(5 * MiB)
    .max(5 * 1024 * MiB)
    .default(64 * MiB),
  partSize: z
    .number()
    .int()
    .min(5 * MiB)
    .max(5 * 1024 * MiB)
    .default(16 * MiB),
  putUrlTtlSeconds: z.number().int().min(1).max(SEVEN_DAYS).default(900),
  viewUrlTtlSeconds: z.number().int().min(30).max(SEVEN_DAYS).default(SEVEN_DAYS),
  uploadTokenTtlSeconds: z
    .number()
    .int()
    .min(60)
    .max(30 * 24 * 3600)
    .default(SEVEN_DAYS),
  overwrite: z.boolean().default(false),
});

/** Every setting of the signer, validated. */
export const ConfigSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(8787),
  s3: z.strictObject({
    bucket: z.string().min(3).max(63),
    region: z.string().min(1).default('us-east-1'),
    endpoint: z.url().optional(),
    forcePathStyle: z.boolean().default(false),
  }),
  users: z.array(UserSchema).min(1),
  tokenSecret: z.string().min(32, 'expected at least 32 characters'),
  policy: PolicyConfigSchema.default(PolicyConfigSchema.parse({})),
  rateLimit: z
    .strictObject({ max: z.number().int().min(1).default(600), windowMs: z.number().int().min(100).default(60_000) })
    .default({ max: 600, windowMs: 60_000 }),
  corsOrigins: z.array(z.string()).default([]),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
});

export type SignerConfig = z.infer<typeof ConfigSchema>;
export type PolicyConfig = SignerConfig['policy'];
export type UserConfig = SignerConfig['users'][number];
/** Settings as written by a person, before defaults are applied. */
export type SignerConfigInput = z.input<typeof ConfigSchema>;

/** Thrown when a setting is missing or wrong; the message names the setting and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const list = (value: string): string[] =>
  value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function parseJson(name: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    throw new ConfigError(`Expected \`${name}\` to be JSON, got \`${value.slice(0, 80)}\``);
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
  if (env.HOIST_CORS_ORIGINS) out.corsOrigins = list(env.HOIST_CORS_ORIGINS);
  if (env.HOIST_LOG_LEVEL) out.logLevel = env.HOIST_LOG_LEVEL;
  if (env.HOIST_S3_BUCKET) s3.bucket = env.HOIST_S3_BUCKET;
  const region = env.HOIST_S3_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region) s3.region = region;
  const endpoint = env.HOIST_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  if (endpoint) s3.endpoint = endpoint;
  if (env.HOIST_S3_FORCE_PATH_STYLE) s3.forcePathStyle = env.HOIST_S3_FORCE_PATH_STYLE === 'true';
  if (env.HOIST_MAX_FILE_SIZE) policy.maxFileSize = number('HOIST_MAX_FILE_SIZE', env.HOIST_MAX_FILE_SIZE);
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

/** Validates raw settings, throwing a ConfigError that names the first bad setting and its value. */
export function parseConfig(raw: unknown): SignerConfig {
  const result = ConfigSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const where = issue.path.join('.') || '(root)';
    const got = 'input' in issue && issue.input !== undefined ? `, got \`${JSON.stringify(issue.input)}\`` : '';
    return `Invalid setting \`${where}\`: ${issue.message}${got}`;
  });
  throw new ConfigError(lines.join('\n'));
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
