import { createWriteStream } from 'node:fs';
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

/** One CSV row per file, after a header row. */
function* csvLines(report: BatchReport): Generator<string> {
  yield `${COLUMNS.join(',')}\n`;
  for (const file of report.files) yield `${COLUMNS.map((column) => csvCell(file[column])).join(',')}\n`;
}

/** The report as JSON, one file per line, so it is written piece by piece and stays readable. */
function* jsonLines(report: BatchReport): Generator<string> {
  const { files, ...summary } = report;
  const head = JSON.stringify(summary, null, 2);
  yield `${head.slice(0, -2)},\n  "files": [\n`;
  for (let i = 0; i < files.length; i++) yield `    ${JSON.stringify(files[i])}${i < files.length - 1 ? ',' : ''}\n`;
  yield '  ]\n}\n';
}

/** Writes `lines` to `path` as a stream, waiting when the disk falls behind: no giant string in memory. */
async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { mode: PRIVATE_FILE_MODE });
  const failed = once(out, 'error').then(([error]) => Promise.reject(error as Error));
  failed.catch(() => undefined);
  for (const line of lines) if (!out.write(line)) await Promise.race([once(out, 'drain'), failed]);
  out.end();
  await Promise.race([once(out, 'close'), failed]);
  // An earlier report at the same path kept its mode: narrow it too.
  await chmod(path, PRIVATE_FILE_MODE);
}

/** Writes `<base>.json` and `<base>.csv`, streaming one file at a time; returns both paths. */
export async function writeReport(report: BatchReport, base: string): Promise<{ json: string; csv: string }> {
  const paths = { json: `${base}.json`, csv: `${base}.csv` };
  await writeLines(paths.json, jsonLines(report));
  await writeLines(paths.csv, csvLines(report));
  return paths;
}
