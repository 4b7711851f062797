/** `1.5 MB`-style text for a byte count (SI units, as file managers show sizes). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? Math.round(value) : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Why a file is over the size limit, in human units; exact bytes when the rounded sizes would read the same. */
export function tooLargeMessage(size: number, limit: number): string {
  const [shown, shownLimit] = [formatBytes(size), formatBytes(limit)];
  return shown === shownLimit
    ? `File is ${size.toLocaleString('en-US')} bytes; the limit is ${limit.toLocaleString('en-US')} bytes`
    : `File is ${shown}; the limit is ${shownLimit}`;
}
