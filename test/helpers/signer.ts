import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { hashToken } from '@hoist/signer-server/auth';
import { parseConfig, type SignerConfig, type SignerConfigInput } from '@hoist/signer-server/config';
import { startSigner } from '@hoist/signer-server/server';
import { Storage } from '@hoist/signer-server/storage';
import { freePort } from './net';
import { createTestBucket, type S3Endpoint } from './test-s3';

/** A signer started for one test file, with two users and the log lines it wrote. */
export interface TestSigner {
  url: string;
  bucket: string;
  config: SignerConfig;
  tokens: { alice: string; bob: string };
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** What a test user may be given beyond id, token and prefix. */
export type UserExtras = Pick<NonNullable<SignerConfigInput['users']>[number], 'destinations' | 'overwrite' | 'quotas'>;

/** Settings overrides for a test signer; `policy` is merged over the defaults. */
export type TestSignerOptions = Partial<Omit<SignerConfigInput, 's3' | 'users'>> & {
  bucket?: string;
  tokens?: TestSigner['tokens'];
  /** Key prefixes of the two users; `users/alice` and `users/bob` by default. */
  prefixes?: { alice: string; bob: string };
  /** Per-user settings beside id, token and prefix: allowed destinations, overwrite. */
  userSettings?: { alice?: UserExtras; bob?: UserExtras };
  /** Where upload URLs point, when not at the test S3's own address (its HTTPS one, a link emulator). */
  publicEndpoint?: string;
  /** Called with the signer's real S3 client before it starts, to count or watch its calls. */
  instrument?: (storage: Storage) => void;
  /**
   * Sign each user's URLs with a role session limited to their keys (`s3.roleArn`), as a team should:
   * on whenever the test S3 has a role, unless a test turns it off.
   */
  scoped?: boolean;
  /** The clock the scoped sessions age by (tests move it to make them renew). */
  sessionClock?: () => number;
};

/** Starts a real signer over HTTP, signing for a fresh bucket on the test S3. */
export async function startTestSigner(s3: S3Endpoint, options: TestSignerOptions = {}): Promise<TestSigner> {
  const {
    bucket: givenBucket,
    tokens: givenTokens,
    prefixes,
    userSettings,
    instrument,
    publicEndpoint,
    scoped = true,
    sessionClock,
    ...overrides
  } = options;
  const bucket = givenBucket ?? (await createTestBucket(s3));
  // A signer that trusts an identity provider names its own origin, the audience of its tokens.
  const port = overrides.port ?? (overrides.oidc ? await freePort() : 0);
  const publicUrl = overrides.publicUrl ?? (overrides.oidc ? `http://127.0.0.1:${port}` : undefined);
  const tokens = givenTokens ?? {
    alice: `alice-${randomBytes(16).toString('hex')}`,
    bob: `bob-${randomBytes(16).toString('hex')}`,
  };
  const config = parseConfig({
    tokenSecret: randomBytes(32).toString('hex'),
    logLevel: 'info',
    ...overrides,
    port,
    ...(publicUrl ? { publicUrl } : {}),
    s3: {
      bucket,
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      ...(publicEndpoint ? { publicEndpoint } : {}),
      ...(scoped && s3.roleArn ? { roleArn: s3.roleArn } : {}),
    },
    users: [
      {
        id: 'alice',
        tokenSha256: hashToken(tokens.alice),
        prefix: prefixes?.alice ?? 'users/alice',
        ...userSettings?.alice,
      },
      { id: 'bob', tokenSha256: hashToken(tokens.bob), prefix: prefixes?.bob ?? 'users/bob', ...userSettings?.bob },
    ],
  });
  const logs: Record<string, unknown>[] = [];
  const storage = new Storage(config.s3, { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey });
  instrument?.(storage);
  const signer = await startSigner(config, {
    logger: collectingLogger(logs),
    storage,
    ...(sessionClock ? { guard: { now: sessionClock } } : {}),
  });
  return { url: signer.url, bucket, config, tokens, logs, close: signer.close };
}

/** A logger at info that parses each JSON line it writes into `lines`, for tests to read. */
export function collectingLogger(lines: Record<string, unknown>[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean))
        lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'info', base: undefined }, sink);
}

/** Calls the signer with a bearer token and JSON body; returns status, headers and parsed JSON. */
export async function callSigner(
  signerUrl: string,
  token: string | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: any }> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${signerUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : undefined };
}
