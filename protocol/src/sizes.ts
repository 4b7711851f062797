/**
 * `1.5 MB`-style text for a byte count (SI units, as file managers show sizes): one decimal under 10 of
 * a unit above bytes, none otherwise; `number` writes the figure (a locale's formatter, say).
 */
export function formatBytes(
  bytes: number,
  number: (value: number, decimals: 0 | 1) => string = (value, decimals) => value.toFixed(decimals),
): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${number(value, unit > 0 && value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Why a file is over the size limit, in human units; exact bytes when the rounded sizes would read the same. */
export function tooLargeMessage(size: number, limit: number): string {
  const [shown, shownLimit] = [formatBytes(size), formatBytes(limit)];
  return shown === shownLimit
    ? `File is ${size.toLocaleString('en-US')} bytes; the limit is ${limit.toLocaleString('en-US')} bytes`
    : `File is ${shown}; the limit is ${shownLimit}`;
}

/** Bytes per unit a written size may name: SI (`MB`, 1000²) and binary (`MiB`, 1024²), case-insensitive. */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};
const WRITTEN_SIZE = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/iu;

/** A size written for people (`"10 GiB"`, `"500MB"`, `"1024"`) in bytes, or undefined when it is none. */
export function parseSize(written: string): number | undefined {
  const match = WRITTEN_SIZE.exec(written);
  if (!match) return undefined;
  const unit = SIZE_UNITS[(match[2] || 'b').toLowerCase()];
  if (unit === undefined) return undefined;
  const bytes = Math.round(Number(match[1]) * unit);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}
