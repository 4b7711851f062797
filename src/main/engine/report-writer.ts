import { writeFile } from 'node:fs/promises';
import type { BatchReport, FileOutcome } from '../../shared/outcome';

const COLUMNS: (keyof FileOutcome)[] = ['path', 'status', 'size', 'key', 'md5', 'etag', 'code', 'reason', 'viewUrl'];

function csvCell(value: unknown): string {
  const text = value === undefined ? '' : String(value);
  return /[",\n\r]/u.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The report as CSV, one row per file, with a header row. */
export function reportCsv(report: BatchReport): string {
  const rows = report.files.map((file) => COLUMNS.map((column) => csvCell(file[column])).join(','));
  return `${[COLUMNS.join(','), ...rows].join('\n')}\n`;
}

/** Writes `<base>.json` and `<base>.csv`; returns both paths. */
export async function writeReport(report: BatchReport, base: string): Promise<{ json: string; csv: string }> {
  const paths = { json: `${base}.json`, csv: `${base}.csv` };
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.csv, reportCsv(report));
  return paths;
}
