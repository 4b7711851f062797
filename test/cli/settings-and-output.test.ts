import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import pkg from '../../package.json' with { type: 'json' };
import { main } from '../../src/cli/main';
import { jsonReporter, plainReporter, ttyReporter } from '../../src/cli/output';
import { progressLine } from '../../src/cli/progress-line';
import { countsText, OutcomeNotes, renamedSummary, tallyOf, type FolderEnd } from '../../src/cli/summary';
import { PushFlagsSchema } from '../../src/cli/push-options';
import { readSettings, resolveSigner, SettingsError, withPushDefaults } from '../../src/cli/settings';
import type { BatchReport, FileOutcome } from '../../src/shared/outcome';
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
    const broken = await settingsFile('{"signer": "not a url", "concurrency": 0, "tokn": "typo"}');
    expect(() => resolveSigner({}, { HOIST_CONFIG: broken })).toThrow(
      new SettingsError(
        `Settings file ${broken}:\n` +
          '✖ Unrecognized key: "tokn"\n' +
          '✖ Invalid URL\n  → at signer\n' +
          '✖ Expected `--concurrency` to be a whole number from 1 to 256, got `0`\n  → at concurrency',
      ),
    );
    const notJson = await settingsFile('{signer: 1}');
    expect(() => resolveSigner({}, { HOIST_CONFIG: notJson })).toThrow(`Settings file ${notJson} is not JSON: `);
  });
});

describe('the settings file', () => {
  it('gives push its defaults: a flag on the command line wins, excludes and includes add up', async () => {
    const HOIST_CONFIG = await settingsFile(
      JSON.stringify({ concurrency: 16, bwlimit: '10M', to: 'inbox/', onConflict: 'rename', exclude: ['*.tmp'] }),
    );
    const settings = readSettings({ HOIST_CONFIG });
    expect(settings).toEqual({
      concurrency: 16,
      bwlimit: 10 * 1024 * 1024,
      to: 'inbox',
      onConflict: 'rename',
      exclude: ['*.tmp'],
    });
    const flags = PushFlagsSchema.parse({ concurrency: 4, onConflict: 'skip', exclude: ['*.html'] });
    const merged = withPushDefaults(flags, (flag) => flag === 'concurrency', settings);
    expect(merged).toMatchObject({
      concurrency: 4,
      bwlimit: 10 * 1024 * 1024,
      to: 'inbox',
      onConflict: 'rename',
      exclude: ['*.tmp', '*.html'],
      include: [],
    });
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

const notesOf = (files: FileOutcome[]): OutcomeNotes => {
  const notes = new OutcomeNotes();
  for (const file of files) notes.add(file);
  return notes;
};

const ended = (overrides: Partial<FolderEnd> = {}): FolderEnd => ({
  folder: 'shoot',
  report,
  notes: new OutcomeNotes(),
  landing: { prefix: 'users/ben', folder: 'shoot-2026' },
  written: { report: '/tmp/r.json' },
  elapsedSeconds: 4.5,
  ...overrides,
});

describe('the reporters', () => {
  afterEach(() => vi.useRealTimers());

  it('plain: failures as they happen, a status line every 5 s, then the summary, where the files went, and a total', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const errors: string[] = [];
    const out = plainReporter(
      (line) => lines.push(line),
      (line) => errors.push(line),
    );
    out.file({ path: 'ok.txt', status: 'uploaded', size: 1 });
    out.file({ path: 'bad.txt', status: 'failed', size: 1, code: 'too-large', reason: 'Too large' });
    out.progress(progress(1_000_000));
    vi.advanceTimersByTime(5000);
    out.progress(progress(5_000_000));
    out.progress(progress(6_000_000));
    out.end(ended());
    out.total([tallyOf(ended()), tallyOf(ended({ folder: 'other', elapsedSeconds: 0.5 }))]);
    out.error('the signer refused the token');
    expect(lines).toEqual([
      'failed: bad.txt: Too large\n',
      '5/10 files, 5.0 MB/10 MB, 1.0 MB/s, 8 connections, ETA 2m05s\n',
      'shoot: 9 uploaded, 0 skipped, 1 failed; 9.0 MB in 4.5 s, 2.0 MB/s\n',
      'destination: users/ben/shoot-2026/ (hoist ls shoot-2026 lists it)\n',
      'report: /tmp/r.json\n',
      'total: 2 folders, 18 uploaded, 0 skipped, 2 failed; 18 MB in 5.0 s, 3.6 MB/s\n',
    ]);
    expect(errors).toEqual(['error: the signer refused the token\n']);
  });

  it('plain: no status line of zeros while nothing is known yet, none with --no-progress, and only problems with --quiet', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const out = plainReporter((line) => lines.push(line));
    vi.advanceTimersByTime(5000);
    out.progress({ ...progress(0), files: { total: 0, uploaded: 0, skipped: 0, rejected: 0, failed: 0, active: 0 } });
    expect(lines).toEqual([]);
    out.progress(progress(1_000_000));
    expect(lines).toEqual(['5/10 files, 1.0 MB/10 MB, 1.0 MB/s, 8 connections, ETA 2m05s\n']);
    const quiet: string[] = [];
    const q = plainReporter((line) => quiet.push(line), undefined, { quiet: true });
    vi.advanceTimersByTime(5000);
    q.info('Using the embedded store');
    q.progress(progress(1_000_000));
    q.file({ path: 'x.exe', status: 'rejected', size: 1, reason: 'Type not allowed' });
    q.file({ path: 'bad.txt', status: 'failed', size: 1, reason: 'Cannot read: EACCES' });
    q.end(ended());
    expect(quiet).toEqual(['failed: bad.txt: Cannot read: EACCES\n']);
    const still: string[] = [];
    vi.advanceTimersByTime(5000);
    plainReporter((line) => still.push(line), undefined, { progress: false }).progress(progress(1_000_000));
    expect(still).toEqual([]);
  });

  it('lists conflicts and refusals after the summary, ten at most, then how many more', () => {
    const files = [
      ...Array.from({ length: 12 }, (_, i) => ({
        path: `s/f${i}.jpg`,
        status: 'uploaded' as const,
        size: 1,
        renamedTo: `s/f${i} (1).jpg`,
      })),
      { path: 'c.jpg', status: 'skipped' as const, size: 1, code: 'conflict', reason: 'A different file is there' },
      { path: 'x.exe', status: 'rejected' as const, size: 1, code: 'type-not-allowed', reason: 'Type not allowed' },
    ];
    const lines = renamedSummary(notesOf([{ path: 'plain.jpg', status: 'uploaded', size: 1 }, ...files]));
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe('renamed: s/f0.jpg → s/f0 (1).jpg');
    expect(lines[10]).toBe('renamed: 2 more (see the report)');
    expect(renamedSummary(notesOf([{ path: 'plain.jpg', status: 'uploaded', size: 1 }]))).toEqual([]);
    const out: string[] = [];
    plainReporter((line) => out.push(line)).end(ended({ report: { ...report, files }, notes: notesOf(files) }));
    expect(out).toContain('conflict: c.jpg: A different file is there\n');
    expect(out).toContain('1 refused: type not allowed (.exe ×1)\n');
    expect(out).toContain('refused: x.exe: Type not allowed\n');
  });

  it('says why files were skipped, by cause, in a fixed order', () => {
    const skipped = (path: string, code: string): FileOutcome => ({ path, status: 'skipped', size: 1, code });
    const files: FileOutcome[] = [
      skipped('.DS_Store', 'ignored'),
      skipped('link', 'symlink-outside'),
      skipped('a.jpg', 'already-there'),
      skipped('b.jpg', 'already-there'),
      skipped('c.jpg', 'conflict'),
      skipped('d.jpg', 'cancelled'),
      skipped('fifo', 'not-a-file'),
      skipped('e.jpg', 'a-code-from-later'),
      { path: 'f.jpg', status: 'failed', size: 1, code: 'conflict' },
    ];
    const counts = { uploaded: 3, skipped: 8, rejected: 0, failed: 1 };
    expect(countsText(counts, notesOf(files))).toBe(
      '3 uploaded, 8 skipped (2 already there, 1 conflict, 1 ignored, 1 symlink leading outside, 1 special file, ' +
        '1 cancelled, 1 a-code-from-later), 1 failed (1 conflict)',
    );
    expect(countsText({ ...counts, skipped: 0, failed: 0 }, notesOf([]))).toBe('3 uploaded, 0 skipped, 0 failed');
  });

  it('json: versioned events, progress at most once a second and the last always, the destination as data', () => {
    vi.useFakeTimers();
    vi.advanceTimersByTime(10_000);
    const lines: string[] = [];
    const out = jsonReporter((line) => lines.push(line));
    out.progress({ ...progress(1), active: [{ path: 'a', size: 1, bytesDone: 0, paused: false }] });
    out.progress(progress(2));
    out.progress({ ...progress(10_000_000), state: 'done' });
    vi.advanceTimersByTime(1000);
    out.progress(progress(3));
    out.end(ended({ written: { csv: '/tmp/r.csv' } }));
    out.total([tallyOf(ended())]);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toEqual(['progress', 'progress', 'progress', 'end']);
    expect(events.every((e) => e.v === 1)).toBe(true);
    expect(events[0]).toMatchObject({ bytes: { done: 1 }, active: 1 });
    expect(events[1]).toMatchObject({ state: 'done' });
    expect(events[3]).toEqual({
      v: 1,
      event: 'end',
      folder: 'shoot',
      batchId: 'b',
      destination: { prefix: 'users/ben/shoot-2026/', folder: 'shoot-2026' },
      counts: report.counts,
      bytesUploaded: 9_000_000,
      elapsedSeconds: 4.5,
      csv: '/tmp/r.csv',
    });
    out.total([tallyOf(ended()), tallyOf(ended({ elapsedSeconds: 0.5 }))]);
    expect(JSON.parse(lines.at(-1)!)).toEqual({
      v: 1,
      event: 'total',
      folders: 2,
      counts: { uploaded: 18, skipped: 0, rejected: 0, failed: 2 },
      bytesUploaded: 18_000_000,
      elapsedSeconds: 5,
    });
  });

  it('tty: draws one line with files, bytes, speed, connections and ETA, and the summary below', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 120,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    stream.on('data', (chunk: Buffer) => (drawn += chunk.toString()));
    const out = ttyReporter(stream as unknown as NodeJS.WriteStream, () => undefined);
    out.progress(progress(5_000_000));
    out.end(ended());
    expect(drawn).toContain('50% | 5/10 files | 5.0 MB/10 MB | 1.0 MB/s | 8 conn | ETA 2m05s');
    expect(drawn).toContain('shoot: 9 uploaded, 0 skipped, 1 failed; 9.0 MB in 4.5 s');
  });

  it('lays the line out for the width: the bar shrinks, then goes, before percent, sizes, speed or ETA', () => {
    const big = { ...progress(1_234_000_000), bytes: { total: 98_765_000_000, done: 1_234_000_000 } };
    const wide = progressLine({ ...big, files: { ...big.files, total: 100_000 } }, 120);
    expect(wide).toMatch(/^█*░+ {3}1% \| 5\/100,000 files \| 1\.2 GB\/99 GB \| 1\.0 MB\/s \| 8 conn \| ETA 2m05s$/u);
    expect(wide.length).toBeLessThan(120);
    for (const columns of [80, 60, 50]) {
      const line = progressLine(big, columns);
      expect(line.length, line).toBeLessThan(columns);
      expect(line).toMatch(/1% \| .*1\.2 GB\/99 GB \| 1\.0 MB\/s \| .*ETA 2m05s/u);
    }
    expect(progressLine(big, 50)).not.toContain('░');
    expect(progressLine({ ...big, state: 'paused' }, 80)).toContain('ETA -');
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
