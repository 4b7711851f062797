/** Connections at once, files and parts together: one range and one default for the CLI, the desktop and the engine. */
export const CONCURRENCY = { min: 1, max: 256, default: 8 } as const;

/** Where an automatic connection budget starts and the range it moves in, unless a setting narrows it. */
export const AUTO_CONCURRENCY = { min: 4, max: 128, initial: 16 } as const;

/** The smallest bandwidth limit, in bytes per second. */
export const MIN_BANDWIDTH = 1024;

/** One K, M or G of a rate: binary, as rclone reads `--bwlimit` and as the desktop shows MiB/s. */
export const RATE_UNITS = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 } as const;

/**
 * Why `value` is not a usable number of connections, naming the setting `name` and the value as the
 * person wrote it (`written`, or the value and its type); undefined when it is usable.
 */
export function concurrencyProblem(value: unknown, name: string, written?: string): string | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= CONCURRENCY.min && value <= CONCURRENCY.max)
    return undefined;
  const got = written === undefined ? `\`${String(value)}\` (${typeof value})` : `\`${written}\``;
  return `Expected \`${name}\` to be a whole number from ${CONCURRENCY.min} to ${CONCURRENCY.max}, got ${got}`;
}

/**
 * Reads a rate like rclone's `--bwlimit`: bytes per second with an optional K, M or G (binary), and an
 * optional `B`, `iB` or `/s`. Undefined when `text` is not one, or is under 1 KiB/s.
 */
export function parseRate(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)(?:i?b)?(?:\/s)?$/iu.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2]!.toLowerCase() as keyof typeof RATE_UNITS | '';
  const bytes = Math.floor(Number(match[1]) * (unit ? RATE_UNITS[unit] : 1));
  return bytes >= MIN_BANDWIDTH ? bytes : undefined;
}
