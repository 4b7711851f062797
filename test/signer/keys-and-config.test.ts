import fc from 'fast-check';
import { ConfigError, parseConfig } from '@hoist/signer-server/config';
import {
  buildKey,
  choosePartSize,
  collisionKey,
  isOwnedKey,
  normaliseRelativePath,
  partCount,
  S3_PART_LIMITS,
  utf8Length,
} from '@hoist/protocol';
import { describe, expect, it } from 'vitest';

const valid = {
  s3: { bucket: 'hoist-bucket' },
  users: [{ id: 'a', tokenSha256: 'a'.repeat(64), prefix: 'users/a' }],
  tokenSecret: '3f9a1c07d2b84e6a95c0f1e27b3d48a6c5e9f0a1b2c3d4e5f60718293a4b5c6d',
};

describe('key rules', () => {
  it('counts UTF-8 bytes as TextEncoder does, lone surrogates included (the protocol runs without it)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(utf8Length(text)).toBe(new TextEncoder().encode(text).length);
      }),
    );
    expect(utf8Length('\ud800x')).toBe(4);
    expect(utf8Length('x\udc00\ud800')).toBe(7);
  });

  // Printable ASCII takes a short path past the Unicode work: it must decide exactly as the long one.
  const asciiPath = fc.string({
    unit: fc.constantFrom(...'aZ0 ._-/\\:*<>?|"nulcomNULCOM1'.split('')),
    maxLength: 24,
  });
  it('judges a printable ASCII path as it judges the same path below a non-ASCII folder', () => {
    fc.assert(
      fc.property(asciiPath, (path) => {
        const alone = normaliseRelativePath(path);
        const below = normaliseRelativePath(`café/${path}`);
        if ('path' in alone) expect(below).toEqual({ path: `café/${alone.path}` });
        else expect(below).toMatchObject({ code: alone.code });
      }),
    );
  });

  it('folds a printable ASCII path as the full Unicode folding does', () => {
    const folded = (path: string) =>
      path
        .split('/')
        .map((s) =>
          s
            .normalize('NFKC')
            .toUpperCase()
            .toLowerCase()
            .normalize('NFKC')
            .replace(/[. ]+$/u, ''),
        )
        .join('/');
    fc.assert(
      fc.property(asciiPath, (path) => {
        expect(collisionKey(path)).toBe(folded(path));
      }),
    );
    expect(collisionKey('Photos./IMG 1.JPG ')).toBe('photos/img 1.jpg');
  });

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

  it.each([
    ['a\ud800.png', 'not valid Unicode'],
    ['\udc00', 'not valid Unicode'],
    ['.. /x.png', 'parent folder'],
    ['a/... /x.png', 'parent folder'],
    ['a/. ./x', 'parent folder'],
    ['CON', 'device name'],
    ['docs/nul.txt', 'device name'],
    ['COM1', 'device name'],
    ['lpt9.log', 'device name'],
    ['a/Aux. /b', 'device name'],
    ['a<b', 'Windows does not allow'],
    ['a>b', 'Windows does not allow'],
    ['a"b', 'Windows does not allow'],
    ['a|b', 'Windows does not allow'],
    ['a?b', 'Windows does not allow'],
    ['a*b', 'Windows does not allow'],
    ['a.png::$DATA', 'Windows does not allow'],
    ['a:b.png', 'Windows does not allow'],
    ['\u202egnp.exe', 'U+202E'],
    ['pho\u200bto.png', 'U+200B'],
    ['\ufeffa.png', 'U+FEFF'],
    ['a\u2066b', 'U+2066'],
    ['a\u00adb', 'U+00AD'],
    ['C:', 'absolute'],
    ['c:/x.png', 'absolute'],
  ])('rejects %j with a reason naming %j', (path, reason) => {
    const out = normaliseRelativePath(path);
    expect(out).toMatchObject({ code: 'invalid-path' });
    expect((out as { message: string }).message).toContain(reason);
  });

  it('accepts names that only resemble reserved ones, and a colon-free drive-like name', () => {
    for (const path of ['console.txt', 'nullable/a.png', 'com10', 'a. b/c', '.hidden', '...a', 'a b/c d.png']) {
      expect(normaliseRelativePath(path)).toEqual({ path });
    }
  });

  it('folds names that Windows or macOS would make one: case, compatibility forms, trailing dots', () => {
    expect(collisionKey('Photos/A.PNG')).toBe(collisionKey('photos/a.png'));
    expect(collisionKey('Stra\u00dfe.txt')).toBe(collisionKey('STRASSE.txt'));
    expect(collisionKey('\ufb01le')).toBe(collisionKey('file'));
    expect(collisionKey('a./b')).toBe(collisionKey('a/b'));
    expect(collisionKey('a/b')).not.toBe(collisionKey('a/c'));
  });

  it('owns only keys the signer could have built for the prefix', () => {
    expect(isOwnedKey('users/a/b1/x.png', 'users/a')).toBe(true);
    expect(isOwnedKey('users/a/clients/acme/2026-12/x.png', 'users/a')).toBe(true);
    for (const key of [
      'users/ab/b1/x.png',
      'users/a/x.png',
      'users/a/../b/b1/x.png',
      'users/a/b1/../../b/x.png',
      'users/a/b1/a//x.png',
      'users/a/b1/',
      'users/b/b1/x.png',
      'users/a/b1/./x.png',
      'users/a/con/x.png',
    ]) {
      expect(isOwnedKey(key, 'users/a'), key).toBe(false);
    }
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
    [{ users: [{ id: 'a', tokenSha256: 'plain-token', prefix: 'u' }] }, '`users[a].tokenSha256`', ''],
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
