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

const counter = new Intl.NumberFormat('en-US');

/** `100,000`-style text for a count; one shared formatter, as `toLocaleString` builds one per call. */
export function formatCount(value: number): string {
  return counter.format(value);
}

/** `0.4`, `12` or `1,250`: a per-second rate, one decimal only while it is under 10. */
export function formatRate(perSecond: number): string {
  return perSecond < 10 ? perSecond.toFixed(1) : counter.format(Math.round(perSecond));
}
