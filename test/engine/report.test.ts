import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/engine';
import type { BatchReport } from '../../src/shared/outcome';

const report = (files: BatchReport['files']): BatchReport => ({
  batchId: 'photos-1',
  root: '/home/ana/photos',
  startedAt: '2026-11-29T21:00:00.000Z',
  endedAt: '2026-11-29T21:01:00.000Z',
  counts: { uploaded: 1, skipped: 1, rejected: 0, failed: 1 },
  bytesUploaded: 5,
  files,
});

describe('the report', () => {
  it('is valid JSON equal to the report, and CSV with one quoted row per file', async () => {
    const files: BatchReport['files'] = [
      {
        path: 'a.txt',
        status: 'uploaded',
        size: 5,
        key: 'u/a.txt',
        md5: 'aa',
        etag: '"aa"',
        viewUrl: 'https://v/a?x=1&y=2',
      },
      { path: 'b, "quoted".txt', status: 'failed', size: 3, code: 'too-large', reason: 'Too large,\nreally' },
      { path: 'ünï/c.txt', status: 'skipped', size: 0, code: 'ignored', reason: 'Ignored' },
      { path: '=HYPERLINK("http://x","y").txt', status: 'uploaded', size: 1, key: '@u/+d.txt' },
    ];
    const base = join(await mkdtemp(join(tmpdir(), 'hoist-report-')), 'r');
    const paths = await writeReport(report(files), base);
    expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(report(files));
    const csv = await readFile(paths.csv, 'utf8');
    expect(csv.split('\n')[0]).toBe('path,status,size,key,md5,etag,code,reason,viewUrl,renamedTo');
    expect(csv).toContain('a.txt,uploaded,5,u/a.txt,aa,"""aa""",,,https://v/a?x=1&y=2,\n');
    expect(csv).toContain('"b, ""quoted"".txt",failed,3,,,,too-large,"Too large,\nreally",,\n');
    expect(csv).toContain('ünï/c.txt,skipped,0,,,,ignored,Ignored,,\n');
    // Cells a spreadsheet would run as formulas start with ' in the CSV; the JSON above kept them exact.
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""y"").txt",uploaded,1,'@u/+d.txt,,,,,,\n`);
  });

  it('goes through its files once, writing both files as it goes, whether one file or many', async () => {
    // A batch's report reads its files back from the journal on each pass; a second pass would read nothing here.
    const once = (count: number): BatchReport['files'] => {
      let passes = 0;
      return {
        *[Symbol.iterator]() {
          if (passes++) return;
          for (let i = 0; i < count; i++) yield { path: `f${i}.txt`, status: 'uploaded' as const, size: i };
        },
      };
    };
    for (const count of [1, 3000]) {
      const base = join(await mkdtemp(join(tmpdir(), 'hoist-report-')), 'r');
      const paths = await writeReport(report(once(count)), base);
      const json = JSON.parse(await readFile(paths.json, 'utf8')) as BatchReport & { files: unknown[] };
      expect(json.files).toHaveLength(count);
      expect(json.files.at(-1)).toEqual({ path: `f${count - 1}.txt`, status: 'uploaded', size: count - 1 });
      const csv = (await readFile(paths.csv, 'utf8')).trimEnd().split('\n');
      expect(csv).toHaveLength(count + 1);
      expect(csv.at(-1)).toBe(`f${count - 1}.txt,uploaded,${count - 1},,,,,,,`);
    }
  });

  it('is valid JSON with no files', async () => {
    const base = join(await mkdtemp(join(tmpdir(), 'hoist-report-')), 'r');
    const paths = await writeReport(report([]), base);
    expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(report([]));
  });
});
