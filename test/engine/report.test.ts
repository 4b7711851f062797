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

  it('is valid JSON with no files', async () => {
    const base = join(await mkdtemp(join(tmpdir(), 'hoist-report-')), 'r');
    const paths = await writeReport(report([]), base);
    expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(report([]));
  });
});
