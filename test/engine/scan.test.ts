import { opendirSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countFolder, scanFolder } from '../../src/engine/pipeline/scan';
import { DEFAULT_IGNORE } from '../../src/engine/pipeline/scan-entries';
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

describe('filter rules', () => {
  const tree = {
    'a.jpg': 'a',
    'b.png': 'b',
    'notes.txt': 'n',
    'raw/c.cr3': 'c',
    'raw/d.txt': 'd',
    'drafts/e.jpg': 'e',
    'drafts/keep.jpg': 'k',
    'drafts/deep/f.jpg': 'f',
    '.hoistignore': '*.txt\n!raw/d.txt\n',
    'drafts/.hoistignore': '*.jpg\n!keep.jpg\n',
    'drafts/deep/.hoistignore': '!f.jpg\n',
  };
  const files = async (root: string, rules: string[]) =>
    (await collect(root, rules)).filter((e) => e.kind === 'file').map((e) => e.path);

  it("reads each folder's .hoistignore with gitignore's rules, the deeper one deciding, and never sends it", async () => {
    const root = await makeFolder(tree);
    expect(await files(root, [...DEFAULT_IGNORE])).toEqual([
      'a.jpg',
      'b.png',
      'drafts/deep/f.jpg',
      'drafts/keep.jpg',
      'raw/c.cr3',
      'raw/d.txt',
    ]);
    const reasons = new Map<string, string>();
    for await (const entry of scanFolder(root)) if (entry.kind === 'problem') reasons.set(entry.path, entry.reason);
    expect(reasons.get('notes.txt')).toBe('Matches a rule in .hoistignore');
    expect(reasons.get('drafts/e.jpg')).toBe('Matches a rule in drafts/.hoistignore');
    expect(reasons.get('.hoistignore')).toBe('Matches an ignore rule');
    // An exclude wins over a .hoistignore that would keep the file.
    expect(await files(root, [...DEFAULT_IGNORE, '*.txt'])).not.toContain('raw/d.txt');
  });

  it('sends only what an include matches, by name, path or folder, when there is one', async () => {
    const root = await makeFolder(tree);
    expect(await files(root, [...DEFAULT_IGNORE, '+ *.jpg'])).toEqual([
      'a.jpg',
      'drafts/deep/f.jpg',
      'drafts/keep.jpg',
    ]);
    expect(await files(root, [...DEFAULT_IGNORE, '+ raw/', '+ b.png'])).toEqual(['b.png', 'raw/c.cr3', 'raw/d.txt']);
    const reasons = new Map<string, string>();
    for await (const entry of scanFolder(root, [...DEFAULT_IGNORE, '+ raw/']))
      if (entry.kind === 'problem') reasons.set(entry.path, entry.reason);
    expect(reasons.get('a.jpg')).toBe('Matched by no --include');
  });
});

describe('a selection inside a folder', () => {
  it('scans and counts only the chosen entries, folders with all they hold, under the filter rules', async () => {
    const root = await makeFolder({
      'a.jpg': 'a',
      'b.jpg': 'bb',
      'c.jpg': 'not chosen',
      'raw/d.cr3': 'ddd',
      'raw/.DS_Store': 'x',
      'other/e.jpg': 'not chosen',
    });
    const only = ['a.jpg', 'b.jpg', 'raw', 'gone.jpg'];
    const entries = [];
    for await (const entry of scanFolder(root, DEFAULT_IGNORE, { only })) entries.push(entry);
    expect(entries.map((e) => `${e.kind}:${e.path}`).sort()).toEqual([
      'file:a.jpg',
      'file:b.jpg',
      'file:raw/d.cr3',
      'problem:gone.jpg',
      'problem:raw/.DS_Store',
    ]);
    expect(await countFolder(root, DEFAULT_IGNORE, undefined, ['a.jpg', 'b.jpg', 'raw'])).toEqual({
      files: 4,
      bytes: 6,
    });
  });
});

describe('countFolder', () => {
  it('counts each entry the scan yields and the bytes of the files it will send, folders many at a time', async () => {
    const tree: Record<string, string> = {
      'keep.txt': 'kk',
      'x.tmp': 'ttt',
      'cache/a.bin': 'c',
      '.DS_Store': 'd',
      'd3/.hoistignore': 'f1*.jpg\n',
    };
    for (let f = 0; f < 20; f++) for (let i = 0; i < 40; i++) tree[`d${f}/sub/f${i}.jpg`] = 'x'.repeat(i);
    const root = await makeFolder(tree);
    for (const ignore of [undefined, ['*.tmp', 'cache/'], [...DEFAULT_IGNORE, '+ *.jpg']]) {
      const entries = [];
      for await (const entry of scanFolder(root, ignore)) entries.push(entry);
      const bytes = entries.reduce((sum, e) => sum + (e.kind === 'file' ? e.size : 0), 0);
      expect(await countFolder(root, ignore ?? DEFAULT_IGNORE)).toEqual({ files: entries.length, bytes });
    }
    expect(await countFolder(join(root, 'keep.txt'), DEFAULT_IGNORE)).toEqual({ files: 1, bytes: 2 });
  });
});

describe('the scan thread', () => {
  it('yields a big folder in its listing order, and a reader that stops early leaves the next scan whole', async () => {
    const tree: Record<string, string> = {};
    for (let i = 0; i < 3000; i++) tree[`many/f${i}.txt`] = '';
    const root = await makeFolder(tree);
    // The folder's own order (readdir sorts its names; the directory stream does not).
    const listed: string[] = [];
    const dir = opendirSync(join(root, 'many'));
    for (let entry = dir.readSync(); entry; entry = dir.readSync()) listed.push(`many/${entry.name}`);
    dir.closeSync();
    const first: string[] = [];
    for await (const entry of scanFolder(root)) {
      first.push(entry.path);
      if (first.length === 10) break;
    }
    for (let scan = 0; scan < 3; scan++) {
      const all: string[] = [];
      for await (const entry of scanFolder(root)) all.push(entry.path);
      expect(all).toEqual(listed);
    }
    expect(first).toEqual(listed.slice(0, 10));
  });
});
