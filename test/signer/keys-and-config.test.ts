import fc from 'fast-check';
import { ConfigError, parseConfig } from '@hoist/signer-server/config';
import {
  buildKey,
  choosePartSize,
  normaliseRelativePath,
  partCount,
  S3_PART_LIMITS,
} from '@hoist/signer-server/protocol';
import { describe, expect, it } from 'vitest';

const valid = {
  s3: { bucket: 'hoist-bucket' },
  users: [{ id: 'a', tokenSha256: 'a'.repeat(64), prefix: 'users/a' }],
  tokenSecret: 's'.repeat(32),
};

describe('key rules', () => {
  it.each([
    ['..', 'invalid-path'],
    ['a/../b', 'invalid-path'],
    ['./a', 'invalid-path'],
    ['/abs', 'invalid-path'],
    ['C:\\Windows\\x', 'invalid-path'],
    ['a//b', 'invalid-path'],
    ['a/', 'invalid-path'],
    ['nul\u0000.txt', 'invalid-path'],
    ['\uff0e\uff0e/x', 'invalid-path'],
    ['a\u2215b', 'invalid-path'],
  ])('rejects %j', (path, code) => {
    expect(normaliseRelativePath(path)).toMatchObject({ code });
  });

  it('turns backslashes into slashes and decomposed names into NFC', () => {
    expect(normaliseRelativePath('a\\b\\cafe\u0301.txt')).toEqual({ path: 'a/b/caf\u00e9.txt' });
  });

  it('rejects keys over 1024 bytes, counting UTF-8 bytes', () => {
    expect(buildKey('p', 'b', '\u00e9'.repeat(509))).toEqual({ key: `p/b/${'\u00e9'.repeat(509)}` });
    expect(buildKey('p', 'b', '\u00e9'.repeat(511))).toMatchObject({ code: 'invalid-path' });
  });

  it('never yields a key outside `<prefix>/<batch>/` for any string (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 64 }),
        fc.array(fc.constantFrom('..', '.', '/', '\\', '%2F', '\u0000'), { maxLength: 4 }),
        (text, parts) => {
          const raw = [text, ...parts].join('');
          const out = normaliseRelativePath(raw);
          if ('code' in out) return;
          const built = buildKey('users/a', 'b1', out.path);
          if ('code' in built) return;
          expect(built.key.startsWith('users/a/b1/')).toBe(true);
          expect(built.key.split('/')).not.toContain('..');
          expect(built.key.split('/')).not.toContain('');
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('part sizes', () => {
  it('respect S3 limits for any size up to 5 TiB (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5 * 1024 ** 4 }), (size) => {
        const partSize = choosePartSize(size, 8 * 1024 * 1024);
        expect(partSize).toBeGreaterThanOrEqual(S3_PART_LIMITS.minPartSize);
        expect(partSize).toBeLessThanOrEqual(S3_PART_LIMITS.maxPartSize);
        expect(partCount(size, partSize)).toBeLessThanOrEqual(S3_PART_LIMITS.maxParts);
      }),
    );
  });
});

describe('config validation', () => {
  it('fills in defaults', () => {
    const config = parseConfig(valid);
    expect(config.policy.putUrlTtlSeconds).toBe(900);
    expect(config.port).toBe(8787);
  });

  it.each([
    [{ policy: { viewUrlTtlSeconds: 900_000 } }, '`policy.viewUrlTtlSeconds`', '900000'],
    [{ tokenSecret: 'short' }, '`tokenSecret`', ''],
    [{ users: [{ id: 'a', tokenSha256: 'plain-token', prefix: 'u' }] }, '`users.0.tokenSha256`', 'plain-token'],
    [{ policy: { allowedTypes: ['images'] } }, '`policy.allowedTypes.0`', 'images'],
    [{ s3: {} }, '`s3.bucket`', ''],
  ])('names the bad setting %#', (override, setting, value) => {
    const raw = { ...valid, ...override };
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(setting);
    if (value) expect(() => parseConfig(raw)).toThrow(value);
  });
});

describe('loading config from a file and the environment', () => {
  it('reads HOIST_SIGNER_CONFIG, then lets environment variables override it', async () => {
    const { loadConfig } = await import('@hoist/signer-server/config');
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'hoist-config-'));
    const file = join(dir, 'signer.json');
    await writeFile(
      file,
      JSON.stringify({ ...valid, port: 9000, policy: { allowedTypes: ['image/*'], overwrite: false } }),
    );
    const config = loadConfig({
      HOIST_SIGNER_CONFIG: file,
      HOIST_SIGNER_PORT: '9100',
      HOIST_OVERWRITE: 'true',
      HOIST_S3_REGION: 'eu-west-1',
    });
    expect(config.port).toBe(9100);
    expect(config.policy).toMatchObject({ allowedTypes: ['image/*'], overwrite: true });
    expect(config.s3).toMatchObject({ bucket: 'hoist-bucket', region: 'eu-west-1' });
    expect(() => loadConfig({ HOIST_SIGNER_CONFIG: file, HOIST_SIGNER_PORT: 'eighty' })).toThrow(
      'Expected `HOIST_SIGNER_PORT` to be a number, got `eighty`',
    );
    expect(() => loadConfig({ HOIST_SIGNER_CONFIG: join(dir, 'missing.json') })).toThrow(
      'Cannot read `HOIST_SIGNER_CONFIG`',
    );
    await writeFile(file, '{ not json');
    expect(() => loadConfig({ HOIST_SIGNER_CONFIG: file })).toThrow(ConfigError);
  });
});
