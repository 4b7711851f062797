import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { hashToken } from '@hoist/signer-server/auth';
import { ConfigError, loadConfig, parseConfig } from '@hoist/signer-server/config';
import { isWithinPrefix, judgeFile } from '@hoist/protocol';
import { describe, expect, it } from 'vitest';

const secret = randomBytes(32).toString('hex');
const user = (id: string, prefix: string, token = `${id}-token`) => ({ id, tokenSha256: hashToken(token), prefix });
const base = { s3: { bucket: 'hoist-bucket' }, users: [user('ana', 'teams/photo/ana')], tokenSecret: secret };

/** The ConfigError message `raw` gets; fails the test when it parses. */
function refusal(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('a config written by a person', () => {
  it('names users by id, says each problem once, and takes sizes with units', () => {
    const twice = refusal({ ...base, users: [user('ana', 'teams/ana'), user('ana', 'teams/ana')] });
    expect(twice.split('\n')).toEqual([
      'Invalid setting `users[ana].id`: user id `ana` is given twice (users 0 and 1)',
    ]);
    const config = parseConfig({
      ...base,
      policy: { maxFileSize: '10 GiB', partSize: '64MiB', multipartThreshold: '100 MB' },
      quotas: { bytesPerDay: '2 TB' },
    });
    expect(config.policy).toMatchObject({
      maxFileSize: 10 * 1024 ** 3,
      partSize: 64 * 1024 ** 2,
      multipartThreshold: 100e6,
    });
    expect(config.quotas.bytesPerDay).toBe(2e12);
    expect(refusal({ ...base, policy: { maxFileSize: '10 GB!' } })).toContain(
      'Invalid setting `policy.maxFileSize`: expected a number of bytes or a size such as `10 GiB` or `500 MB`, got `"10 GB!"`',
    );
    expect(refusal({ ...base, policy: { partSize: '1 MiB' } })).toContain('`policy.partSize`');
  });
});

describe('ownership: prefixes never overlap', () => {
  it("refuses the README's nested example beside a team prefix, naming both users", () => {
    const message = refusal({ ...base, users: [user('lead', 'teams'), user('ana', 'teams/photo/ana')] });
    expect(message).toContain('`users[ana].prefix`');
    expect(message).toContain('`lead` (`teams`)');
    expect(message).toContain('`ana` (`teams/photo/ana`)');
  });

  it('refuses equal prefixes, and accepts prefixes that only share leading characters', () => {
    expect(refusal({ ...base, users: [user('a', 'u/x'), user('b', 'u/x')] })).toContain('overlap');
    expect(
      parseConfig({ ...base, users: [user('a', 'teams/photo'), user('b', 'teams/photography')] }).users,
    ).toHaveLength(2);
  });

  it('starts only when no prefix is inside another, for any set of prefixes (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'ab', 'teams', 'photo', 'x.y');
    const prefix = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    fc.assert(
      fc.property(fc.array(prefix, { minLength: 1, maxLength: 5 }), (prefixes) => {
        const users = prefixes.map((p, i) => user(`u${i}`, p));
        const overlaps = prefixes.some((p, i) => prefixes.some((q, j) => i !== j && isWithinPrefix(p, q)));
        let started = true;
        try {
          parseConfig({ ...base, users });
        } catch {
          started = false;
        }
        expect(started).toBe(!overlaps);
      }),
      { numRuns: 500 },
    );
  });

  it('never builds a key inside another user’s prefix, for any started config and request (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'ana', 'teams', 'photo', 'ana-b2', 'b2');
    const prefix = fc.array(segment, { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const batch = fc.oneof(fc.constantFrom('ana', 'b2', 'photo', 'a', '..', 'ana/b2'), fc.string({ maxLength: 12 }));
    const path = fc.oneof(
      fc.constantFrom('b2/secret.png', 'ana/b2/secret.png', '../ana/x.png', 'x.png'),
      fc.string({ unit: 'grapheme', maxLength: 24 }),
    );
    let checked = 0;
    fc.assert(
      fc.property(fc.array(prefix, { minLength: 2, maxLength: 4 }), batch, path, (prefixes, b, p) => {
        let config;
        try {
          config = parseConfig({ ...base, users: prefixes.map((q, i) => user(`u${i}`, q)) });
        } catch {
          return;
        }
        const [caller, ...others] = config.users;
        const judged = judgeFile({ path: p, size: 1, type: 'image/png' }, caller!.prefix, b, config.policy);
        if ('status' in judged) return;
        checked += 1;
        expect(judged.key.startsWith(`${caller!.prefix}/`)).toBe(true);
        for (const other of others) expect(isWithinPrefix(judged.key, other.prefix)).toBe(false);
      }),
      { numRuns: 3000 },
    );
    expect(checked).toBeGreaterThan(100);
  });
});

describe('users, origins and secrets', () => {
  it('refuses a repeated user id and a token shared by two users', () => {
    expect(refusal({ ...base, users: [user('a', 'u/a'), user('a', 'u/b', 'other')] })).toContain(
      'user id `a` is given twice',
    );
    const shared = refusal({ ...base, users: [user('a', 'u/a', 't'), user('b', 'u/b', 't')] });
    expect(shared).toContain('users `a` and `b` have the same token');
  });

  it.each(['*', 'null', 'https://app.example/path', 'app.example', 'file:///x', 'https://app.example/'])(
    'refuses %j in corsOrigins',
    (origin) => {
      expect(refusal({ ...base, corsOrigins: [origin] })).toContain('`corsOrigins.0`');
    },
  );

  it('takes a browse page only over http(s) and with `{path}` in it', () => {
    const page = 'https://console.example.com/s3/buckets/{bucket}?prefix={path}';
    expect(parseConfig({ ...base, browseUrl: page }).browseUrl).toBe(page);
    expect(refusal({ ...base, browseUrl: 'https://console.example.com/s3/' })).toContain(
      'Invalid setting `browseUrl`: expected `{path}` where the folder goes',
    );
    expect(refusal({ ...base, browseUrl: 'javascript:alert(1)//{path}' })).toContain('Invalid setting `browseUrl`');
  });

  it('accepts real origins in corsOrigins', () => {
    expect(parseConfig({ ...base, corsOrigins: ['https://app.example', 'http://localhost:5173'] }).corsOrigins).toEqual(
      ['https://app.example', 'http://localhost:5173'],
    );
  });

  it.each([
    ['the README placeholder', '<32+ random characters, the same on every replica>'],
    ['32 repeated letters', 'a'.repeat(32)],
    ['64 hex zeros', '0'.repeat(64)],
    ['a repeated hex pattern', '0123456789abcdef'.repeat(4)],
    ['16 random bytes', randomBytes(16).toString('hex')],
    ['a passphrase', 'correct horse battery staple correct horse'],
  ])('refuses %s as tokenSecret, says how to make one, and never prints it', (_name, value) => {
    const message = refusal({ ...base, tokenSecret: value });
    expect(message).toContain('`tokenSecret`');
    expect(message).toContain('openssl rand -hex 32');
    expect(message).not.toContain(value);
  });

  it('accepts 32 random bytes as hex, base64 and base64url', () => {
    const bytes = randomBytes(32);
    for (const text of [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')]) {
      expect(parseConfig({ ...base, tokenSecret: text }).tokenSecret).toBe(text);
    }
  });

  it('refuses a previous secret equal to the current one, or a weak one, without printing either', () => {
    expect(refusal({ ...base, previousTokenSecret: secret })).toContain('`previousTokenSecret`');
    const weak = refusal({ ...base, previousTokenSecret: 'b'.repeat(40) });
    expect(weak).toContain('`previousTokenSecret`');
    expect(weak).not.toContain('b'.repeat(40));
    expect(weak).not.toContain(secret);
  });

  it('never prints a raw token put where its hash belongs, or as an unknown setting', () => {
    const raw = `hoist_${randomBytes(12).toString('hex')}`;
    const inHash = refusal({ ...base, users: [{ id: 'a', tokenSha256: raw, prefix: 'u/a' }] });
    expect(inHash).toContain('`users[a].tokenSha256`');
    expect(inHash).not.toContain(raw);
    const unknown = refusal({ ...base, users: [{ id: 'a', token: raw, prefix: 'u/a' }] });
    expect(unknown).toContain('unknown `token`');
    expect(unknown).not.toContain(raw);
  });

  it('never prints the text of HOIST_USERS when it is not JSON', () => {
    const raw = `hoist_${randomBytes(12).toString('hex')}`;
    let message = '';
    try {
      loadConfig({ HOIST_USERS: `[{"id":"a","token":"${raw}"`, HOIST_S3_BUCKET: 'bkt', HOIST_TOKEN_SECRET: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Expected `HOIST_USERS` to be JSON');
    expect(message).not.toContain(raw);
  });

  it('never quotes a secret near a JSON error, nor the password of a bad `redis.url` (N9)', () => {
    const raw = `hoist_${randomBytes(12).toString('hex')}`;
    let message = '';
    try {
      loadConfig({
        HOIST_USERS: `[{"id":"a","tokenSha256": ${raw}}]`,
        HOIST_S3_BUCKET: 'bkt',
        HOIST_TOKEN_SECRET: secret,
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('Expected `HOIST_USERS` to be JSON');
    expect(message).not.toContain(raw.slice(6, 14));
    const password = randomBytes(12).toString('hex');
    const redis = refusal({ ...base, redis: { url: `redis:/default:${password}@cache:6379` } });
    expect(redis).toContain('`redis.url`');
    expect(redis).not.toContain(password);
    const spaced = refusal({ ...base, redis: { url: `redis://default:${password}@cache:6379 ` } });
    expect(spaced).not.toContain(password);
  });
});

describe('listening', () => {
  it('refuses plain HTTP on an address other machines reach, unless TLS or a TLS proxy is named', () => {
    const message = refusal({ ...base, host: '0.0.0.0' });
    expect(message).toContain('`host`');
    expect(message).toContain('behindTlsProxy');
    expect(parseConfig({ ...base, host: '0.0.0.0', behindTlsProxy: true }).host).toBe('0.0.0.0');
    expect(parseConfig({ ...base, host: '0.0.0.0', tls: { certFile: 'c.pem', keyFile: 'k.pem' } }).tls).toBeDefined();
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost'])
      expect(parseConfig({ ...base, host }).host).toBe(host);
  });
});
