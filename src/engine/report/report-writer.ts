import { createWriteStream, type WriteStream } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { once } from 'node:events';
import type { BatchReport, FileOutcome } from '../../shared/outcome';
import { PRIVATE_FILE_MODE } from '../private-files';

// New columns go last, so scripts reading columns by position keep working.
const COLUMNS: (keyof FileOutcome)[] = [
  'path',
  'status',
  'size',
  'key',
  'md5',
  'etag',
  'code',
  'reason',
  'viewUrl',
  'renamedTo',
];

/**
 * One CSV cell. A cell a spreadsheet would run as a formula (a file named `=HYPERLINK(...)`, say) gets a
 * leading `'`, as OWASP advises against CSV injection; the JSON report keeps every value exact.
 */
function csvCell(value: unknown): string {
  const raw = value === undefined ? '' : String(value);
  const text = /^[=+\-@\t\r]/u.test(raw) ? `'${raw}` : raw;
  return /[",\n\r]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV row: a file's outcome, or the header row. */
const csvRow = (cells: unknown[]): string => `${cells.map(csvCell).join(',')}\n`;

/** A file written line by line as a stream, waiting when the disk falls behind: no giant string in memory. */
class LineFile {
  readonly #path: string;
  readonly #out: WriteStream;
  readonly #failed: Promise<never>;

  constructor(path: string) {
    this.#path = path;
    this.#out = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
    this.#failed = once(this.#out, 'error').then(([error]) => Promise.reject(error as Error));
    this.#failed.catch(() => undefined);
  }

  /** Resolves at once, or once the disk has taken what waits. */
  async write(line: string): Promise<void> {
    if (!this.#out.write(line)) await Promise.race([once(this.#out, 'drain'), this.#failed]);
  }

  /** Ends the file and narrows the mode of an earlier one at the same path, which kept its own. */
  async close(): Promise<void> {
    this.#out.end();
    await Promise.race([once(this.#out, 'close'), this.#failed]);
    await chmod(this.#path, PRIVATE_FILE_MODE);
  }
}

/**
 * Writes `<base>.json` (the summary, then one file per line, so it stays readable) and `<base>.csv` in
 * one pass over the report's files; returns both paths.
 */
export async function writeReport(report: BatchReport, base: string): Promise<{ json: string; csv: string }> {
  const paths = { json: `${base}.json`, csv: `${base}.csv` };
  const [json, csv] = [new LineFile(paths.json), new LineFile(paths.csv)];
  try {
    const { files, ...summary } = report;
    const head = JSON.stringify(summary, null, 2);
    await json.write(`${head.slice(0, -2)},\n  "files": [\n`);
    await csv.write(csvRow(COLUMNS));
    // Each line waits for the next, to know whether a comma follows it.
    let previous: FileOutcome | undefined;
    for (const file of files) {
      if (previous) await json.write(`    ${JSON.stringify(previous)},\n`);
      await csv.write(csvRow(COLUMNS.map((column) => file[column])));
      previous = file;
    }
    if (previous) await json.write(`    ${JSON.stringify(previous)}\n`);
    await json.write('  ]\n}\n');
  } finally {
    await Promise.all([json.close(), csv.close()]);
  }
  return paths;
}
