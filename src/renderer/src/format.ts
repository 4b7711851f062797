import { formatBytes } from '../../shared/progress';

/** The person's language, as the browser (Electron: the OS) gives it; numbers and dates follow it. */
const LOCALE = typeof navigator === 'undefined' ? 'en-US' : navigator.language;

const counter = new Intl.NumberFormat(LOCALE);
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0 });
const dateTime = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short' });

/** `1 h 5 min`, `4 min 10 s` or `12 s` for a duration in seconds; `—` when unknown. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}

/** Whole percent of `done` over `total`, 0 when the total is unknown. */
export function percent(done: number, total: number): number {
  return total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 0;
}

/** The last segment of a path, for compact labels. */
export function baseName(path: string): string {
  return path.split(/[\\/]/u).filter(Boolean).pop() ?? path;
}

/** `100,000` (`100.000` in German): a count in the person's locale, from one shared formatter. */
export function formatCount(value: number): string {
  return counter.format(value);
}

/** `0.4`, `12` or `1,250` (`0,4`, `1.250` in German): a per-second rate, one decimal only while it is under 10. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? oneDecimal.format(perSecond) : counter.format(Math.round(perSecond));
}

/** `3.2 MB` (`3,2 MB` in German): bytes in decimal units, one decimal under 10 of a unit. */
export function formatSize(bytes: number): string {
  return formatBytes(bytes, (value, decimals) => (decimals ? oneDecimal : whole).format(value));
}

/** `5 Dec 2026, 09:12` in the person's locale, for an ISO time or milliseconds since 1970. */
export function formatDateTime(time: string | number): string {
  return dateTime.format(new Date(time));
}
