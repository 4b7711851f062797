const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'] as const;

/** A size in decimal units as file managers show it: `512 bytes`, `3.1 MB`, `42 GB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  let value = bytes;
  let unit = -1;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${UNITS[unit]}`;
}

/** Why a file is over the size limit, in human units; exact bytes when the rounded sizes would read the same. */
export function tooLargeMessage(size: number, limit: number): string {
  const [shown, shownLimit] = [formatSize(size), formatSize(limit)];
  return shown === shownLimit
    ? `File is ${size.toLocaleString('en-US')} bytes; the limit is ${limit.toLocaleString('en-US')} bytes`
    : `File is ${shown}; the limit is ${shownLimit}`;
}
