import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countFolder } from '../../src/engine/pipeline/folder-count';
import { DEFAULT_IGNORE, scanFolder } from '../../src/engine/pipeline/scan';
import { makeFolder } from '../helpers/folders';

async function collect(root: string, ignore?: string[]) {
  const out: { path: string; kind: string; code?: string }[] = [];
  for await (const entry of scanFolder(root, ignore))
    out.push(
      entry.kind === 'file'
        ? { path: entry.path, kind: 'file' }
        : { path: entry.path, kind: 'problem', code: entry.code },
    );
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

describe('scanFolder', () => {
  it('follows symlinks but not loops, and reports dangling links as unreadable', async () => {
    const root = await makeFolder({ 'a/one.txt': '1', 'b/two.txt': '2' });
    await symlink(join(root, 'a'), join(root, 'b', 'to-a'));
    await symlink(root, join(root, 'a', 'loop'));
    await symlink(join(root, 'missing'), join(root, 'dangling'));
    const entries = await collect(root);
    expect(entries).toContainEqual({ path: 'a/one.txt', kind: 'file' });
    expect(entries).toContainEqual({ path: 'b/to-a/one.txt', kind: 'file' });
    expect(entries).toContainEqual({ path: 'a/loop', kind: 'problem', code: 'symlink-loop' });
    expect(entries).toContainEqual({ path: 'dangling', kind: 'problem', code: 'unreadable' });
  });

  it('applies configurable ignore rules, and the defaults', async () => {
    const root = await makeFolder({
      'keep.txt': 'k',
      'x.tmp': 't',
      'cache/a.bin': 'c',
      '.DS_Store': 'd',
      'sub/Thumbs.db': 't',
      '.git/config': 'g',
    });
    await mkdir(join(root, 'empty'));
    expect((await collect(root)).filter((e) => e.kind === 'file').map((e) => e.path)).toEqual([
      'cache/a.bin',
      'keep.txt',
      'x.tmp',
    ]);
    const custom = await collect(root, ['*.tmp', 'cache/']);
    expect(custom.filter((e) => e.kind === 'file').map((e) => e.path)).toEqual([
      '.DS_Store',
      '.git/config',
      'keep.txt',
      'sub/Thumbs.db',
    ]);
    expect(custom).toContainEqual({ path: 'cache/', kind: 'problem', code: 'ignored' });
  });
});

describe('countFolder', () => {
  it('counts each entry the scan yields and the bytes of the files it will send, folders many at a time', async () => {
    const tree: Record<string, string> = { 'keep.txt': 'kk', 'x.tmp': 'ttt', 'cache/a.bin': 'c', '.DS_Store': 'd' };
    for (let f = 0; f < 20; f++) for (let i = 0; i < 40; i++) tree[`d${f}/sub/f${i}.jpg`] = 'x'.repeat(i);
    const root = await makeFolder(tree);
    for (const ignore of [undefined, ['*.tmp', 'cache/']]) {
      const entries = [];
      for await (const entry of scanFolder(root, ignore)) entries.push(entry);
      const bytes = entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0);
      expect(await countFolder(root, ignore ?? DEFAULT_IGNORE)).toEqual({ files: entries.length, bytes });
    }
    expect(await countFolder(join(root, 'keep.txt'), DEFAULT_IGNORE)).toEqual({ files: 1, bytes: 2 });
  });
});
