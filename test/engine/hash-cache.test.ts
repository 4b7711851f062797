import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileIdentity } from '../../src/engine/hashing/file-identity';
import { HashCache } from '../../src/engine/hashing/hash-cache';

const temp = () => mkdtemp(join(tmpdir(), 'hoist-hash-cache-'));
/** Where an open descriptor leads, or '' once it closed. */
const readlinkSafe = (path: string): string => {
  try {
    return readlinkSync(path);
  } catch {
    return '';
  }
};

describe('the hash cache', () => {
  it('keeps digests across runs in a private file, and an unreadable file is an empty cache', async () => {
    const dir = await temp();
    const file = join(dir, 'state', 'hash-cache.jsonl');
    const first = new HashCache(file);
    first.set('1:2:3:4:5', 'md5', 'a'.repeat(32));
    first.close();
    expect(new HashCache(file).get('1:2:3:4:5', 'md5')).toBe('a'.repeat(32));
    expect(new HashCache(file).get('1:2:3:4:6', 'md5')).toBeUndefined();
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    await writeFile(file, 'not json\n["torn');
    expect(new HashCache(file).get('1:2:3:4:5', 'md5')).toBeUndefined();
  });

  it('adds entries through one open file, closed by close() and opened again by the next entry', async () => {
    const file = join(await temp(), 'hash-cache.jsonl');
    const openOnIt = () => readdirSync('/proc/self/fd').filter((fd) => readlinkSafe(`/proc/self/fd/${fd}`) === file);
    const cache = new HashCache(file);
    for (let i = 0; i < 3; i++) cache.set(`id${i}`, 'md5', `${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(openOnIt()).toHaveLength(1);
    cache.set('id2b', 'md5', '2b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(openOnIt()).toHaveLength(1);
    cache.close();
    expect(openOnIt()).toHaveLength(0);
    cache.set('id3', 'md5', '3');
    cache.close();
    expect([0, 1, 2, 3].map((i) => new HashCache(file).get(`id${i}`, 'md5'))).toEqual(['0', '1', '2', '3']);
  });

  it('writes new entries together: at the next turn of the event loop, at 512, or by close()', async () => {
    const file = join(await temp(), 'hash-cache.jsonl');
    // Read at once, so no turn of the event loop passes before the count.
    const lines = () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0);
    const cache = new HashCache(file);
    for (let i = 0; i < 3; i++) cache.set(`id${i}`, 'md5', `${i}`);
    expect(lines()).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines()).toBe(3);
    for (let i = 3; i < 600; i++) cache.set(`id${i}`, 'md5', `${i}`);
    expect(lines()).toBe(3 + 512);
    cache.close();
    expect(lines()).toBe(600);
    expect(new HashCache(file).get('id599', 'md5')).toBe('599');
  });

  it('keeps in memory what it read and its newest entries, and reads the file again on refresh() once it let some go', async () => {
    const file = join(await temp(), 'hash-cache.jsonl');
    const earlier = new HashCache(file);
    earlier.set('old', 'md5', 'o');
    earlier.close();
    const cache = new HashCache(file, { maxEntries: 100, recentEntries: 4 });
    for (let i = 0; i < 10; i++) cache.set(`id${i}`, 'md5', `${i}`);
    cache.set('old', 'md5', 'changed');
    const known = () => ['old', 'id0', 'id9'].map((id) => cache.get(id, 'md5'));
    expect(known()).toEqual(['changed', undefined, '9']);
    cache.refresh();
    expect(known()).toEqual(['changed', '0', '9']);
    // Nothing let go since: refresh() keeps what is in memory.
    cache.set('id10', 'md5', '10');
    cache.refresh();
    expect(cache.get('id10', 'md5')).toBe('10');
  });

  it('stays bounded: the oldest digests go first, and the file is rewritten past twice the bound', async () => {
    const file = join(await temp(), 'hash-cache.jsonl');
    const cache = new HashCache(file, { maxEntries: 10 });
    for (let i = 0; i < 25; i++) cache.set(`id${i}`, 'md5', `${i}`);
    // In memory: at most a quarter past the bound, the oldest gone first.
    const inMemory = ['id14', 'id15', 'id24'].map((id) => cache.get(id, 'md5'));
    expect(inMemory).toEqual([undefined, '15', '24']);
    cache.close();
    const again = new HashCache(file, { maxEntries: 10 });
    expect(again.get('id14', 'md5')).toBeUndefined();
    expect(again.get('id15', 'md5')).toBe('15');
    expect((await readFile(file, 'utf8')).trim().split('\n')).toHaveLength(10);
  });

  it('never trusts a file written with its modification time put back: its change time moved', async () => {
    const path = join(await temp(), 'photo.jpg');
    await writeFile(path, 'first version');
    const before = await stat(path, { bigint: true });
    const identity = await fileIdentity(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writeFile(path, 'other version');
    const ns = before.mtimeNs;
    execFileSync('touch', [
      '-m',
      '-d',
      `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`,
      path,
    ]);
    const after = await stat(path, { bigint: true });
    expect([after.mtimeNs, after.size]).toEqual([before.mtimeNs, before.size]);
    expect(await fileIdentity(path)).not.toBe(identity);
  });

  it('computes a digest once while the file is unchanged, and again once it changed', async () => {
    const dir = await temp();
    const path = join(dir, 'a.bin');
    await writeFile(path, 'x');
    const cache = new HashCache(join(dir, 'hash-cache.jsonl'));
    let computed = 0;
    const compute = async () => `${++computed}`;
    expect(await cache.digest(path, 'md5', compute)).toBe('1');
    expect(await cache.digest(path, 'md5', compute)).toBe('1');
    expect(await cache.digest(path, 'etag:5242880', compute)).toBe('2');
    await writeFile(path, 'y');
    expect(await cache.digest(path, 'md5', compute)).toBe('3');
  });
});
