import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { main } from '../../src/cli/main';
import { jsonReporter, plainReporter, renamedSummary, ttyReporter } from '../../src/cli/output';
import { resolveSigner } from '../../src/cli/settings';
import type { BatchReport } from '../../src/shared/outcome';
import type { BatchProgress } from '../../src/shared/progress';

async function settingsFile(content: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'hoist-cli-')), 'config.json');
  await writeFile(path, content);
  return path;
}

describe('the signer and token', () => {
  it('come from the flag, then the environment, then the settings file', async () => {
    const HOIST_CONFIG = await settingsFile(JSON.stringify({ signer: 'https://file.example', token: 'file' }));
    expect(resolveSigner({}, { HOIST_CONFIG })).toEqual({
      signer: 'https://file.example',
      token: 'file',
      fromFlag: false,
    });
    expect(resolveSigner({}, { HOIST_CONFIG, HOIST_TOKEN: 'env', HOIST_SIGNER: 'https://env.example' })).toEqual({
      signer: 'https://env.example',
      token: 'env',
      fromFlag: false,
    });
    expect(resolveSigner({ token: 'flag' }, { HOIST_CONFIG, HOIST_TOKEN: 'env' })).toEqual({
      signer: 'https://file.example',
      token: 'flag',
      fromFlag: true,
    });
  });

  it('come from --token-file or standard input before HOIST_TOKEN, without the trailing newline', async () => {
    const HOIST_CONFIG = join(tmpdir(), 'no-such-hoist-config.json');
    const tokenFile = await settingsFile('from-file\n');
    expect(resolveSigner({ tokenFile }, { HOIST_CONFIG, HOIST_TOKEN: 'env' })).toMatchObject({
      token: 'from-file',
      fromFlag: false,
    });
    const stdin = (path: string | number) => (path === 0 ? 'from-stdin\r\n' : 'never');
    expect(resolveSigner({ tokenFile: '-' }, { HOIST_CONFIG }, stdin).token).toBe('from-stdin');
    expect(() => resolveSigner({ tokenFile: join(tmpdir(), 'no-such-token') }, { HOIST_CONFIG })).toThrow(
      /Cannot read `--token-file` `.*no-such-token`: ENOENT/u,
    );
    const empty = await settingsFile('\n');
    expect(() => resolveSigner({ tokenFile: empty }, { HOIST_CONFIG })).toThrow('is empty');
  });

  it('need no settings file, and a broken one is named in the error', async () => {
    expect(resolveSigner({}, { HOIST_CONFIG: join(tmpdir(), 'no-such-hoist-config.json') })).toEqual({
      fromFlag: false,
    });
    const broken = await settingsFile('{"signer": "not a url"}');
    expect(() => resolveSigner({}, { HOIST_CONFIG: broken })).toThrow(`Cannot use settings file ${broken}`);
    const unknown = await settingsFile('{"tokn": "typo"}');
    expect(() => resolveSigner({}, { HOIST_CONFIG: unknown })).toThrow(`Cannot use settings file ${unknown}`);
  });
});

const progress = (done: number): BatchProgress => ({
  batchId: 'b',
  root: '/r',
  state: 'uploading',
  files: { total: 10, uploaded: 4, skipped: 0, rejected: 0, failed: 1, active: 2 },
  bytes: { total: 10_000_000, done },
  throughput: 1_000_000,
  filesPerSecond: 3,
  etaSeconds: 125,
  active: [],
  scanComplete: true,
  totalsKnown: true,
  connections: 8,
});

const report: BatchReport = {
  batchId: 'b',
  root: '/r',
  startedAt: '2026-11-30T00:00:00.000Z',
  endedAt: '2026-11-30T00:00:10.000Z',
  counts: { uploaded: 9, skipped: 0, rejected: 0, failed: 1 },
  bytesUploaded: 9_000_000,
  files: [],
};

describe('the reporters', () => {
  afterEach(() => vi.useRealTimers());

  it('plain: failures as they happen, a status line every 5 s, then the summary and where things went', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const out = plainReporter((line) => lines.push(line));
    out.file({ path: 'ok.txt', status: 'uploaded', size: 1 });
    out.file({ path: 'bad.txt', status: 'failed', size: 1, code: 'too-large', reason: 'Too large' });
    out.progress(progress(1_000_000));
    vi.advanceTimersByTime(5000);
    out.progress(progress(5_000_000));
    out.progress(progress(6_000_000));
    out.end(report, { report: '/tmp/r.json' });
    expect(lines).toEqual([
      'failed: bad.txt: Too large\n',
      '5/10 files, 5.0 MB/10 MB, 1.0 MB/s, 8 connections, ETA 2m5s\n',
      '9 uploaded, 0 skipped, 1 failed (9.0 MB)\n',
      'report: /tmp/r.json\n',
    ]);
  });

  it('plain: no status line of zeros while nothing is known yet (the signer not answered)', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const out = plainReporter((line) => lines.push(line));
    vi.advanceTimersByTime(5000);
    out.progress({ ...progress(0), files: { total: 0, uploaded: 0, skipped: 0, rejected: 0, failed: 0, active: 0 } });
    expect(lines).toEqual([]);
    out.progress(progress(1_000_000));
    expect(lines).toEqual(['5/10 files, 1.0 MB/10 MB, 1.0 MB/s, 8 connections, ETA 2m5s\n']);
  });

  it('names renamed files as `a.jpg → a (1).jpg`, ten at most, then how many more', () => {
    const renamed = Array.from({ length: 12 }, (_, i) => ({
      path: `s/f${i}.jpg`,
      status: 'uploaded' as const,
      size: 1,
      renamedTo: `s/f${i} (1).jpg`,
    }));
    const lines = renamedSummary([{ path: 'plain.jpg', status: 'uploaded', size: 1 }, ...renamed]);
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('renamed: s/f0.jpg → s/f0 (1).jpg');
    expect(lines[10]).toBe('renamed: 2 more (see the report)');
    expect(renamedSummary([{ path: 'plain.jpg', status: 'uploaded', size: 1 }])).toEqual([]);
  });

  it('json: one event per line, progress at most once a second, active files counted not listed', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(10_000);
    const lines: string[] = [];
    const out = jsonReporter((line) => lines.push(line));
    out.progress({ ...progress(1), active: [{ path: 'a', size: 1, bytesDone: 0, paused: false }] });
    out.progress(progress(2));
    vi.advanceTimersByTime(1000);
    out.progress(progress(3));
    out.end(report, { csv: '/tmp/r.csv' });
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['progress', 'progress', 'end']);
    expect(events[0]).toMatchObject({ bytes: { done: 1 }, active: 1 });
    expect(events[2]).toEqual({
      event: 'end',
      batchId: 'b',
      counts: report.counts,
      bytesUploaded: 9_000_000,
      csv: '/tmp/r.csv',
    });
  });

  it('tty: draws a bar with files, bytes, speed, connections and ETA', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const out = ttyReporter(stream as unknown as NodeJS.WriteStream);
    out.progress(progress(5_000_000));
    out.end(report, {});
    expect(drawn).toContain('50% | 5/10 files | 5.0 MB/10 MB | 1.0 MB/s | 8 connections | ETA 2m5s');
    expect(drawn).toContain('9 uploaded, 0 skipped, 1 failed (9.0 MB)');
  });
});

describe('hoist --version', () => {
  it('prints the version from package.json and exits 0', async () => {
    const written: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    const code = await main(['--version']).finally(() => write.mockRestore());
    expect(code).toBe(0);
    expect(written.join('')).toBe(`${pkg.version}\n`);
  });
});
