import { formatBytes, type BatchProgress } from '../shared/progress';

/** Narrowest bar worth drawing; below it the bar goes and the figures stay. */
const MIN_BAR = 10;
/** Widest bar: past it, the width is left empty rather than drawn. */
const MAX_BAR = 40;

/** `3m12s`, `1h04m`, `45s`; `?` while unknown. */
export function etaText(seconds: number | null): string {
  if (seconds === null) return '?';
  if (seconds >= 3600)
    return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/**
 * The user's way of writing a count, made at the first line drawn: an `Intl.NumberFormat` takes 20-28 ms
 * to make here (its locale data), which every command paid at start when it was made on load.
 */
let countFormat: Intl.NumberFormat | undefined;
const count = (n: number): string => (countFormat ??= new Intl.NumberFormat()).format(n);

/** Files that have ended: uploaded, skipped, refused or failed. */
export const endedFiles = (p: BatchProgress): number =>
  p.files.uploaded + p.files.skipped + p.files.rejected + p.files.failed;

/**
 * One line of progress that fits `columns`: percent, sizes, speed and ETA always; files, then
 * connections, when there is room; the bar takes what is left, and goes first when there is none.
 */
export function progressLine(p: BatchProgress, columns: number): string {
  const fraction = p.bytes.total > 0 ? Math.min(1, p.bytes.done / p.bytes.total) : p.totalsKnown ? 1 : 0;
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const sizes = `${formatBytes(p.bytes.done)}/${formatBytes(p.bytes.total)}${p.totalsKnown ? '' : '+'}`;
  const speed = `${formatBytes(p.throughput)}/s`;
  const eta = `ETA ${p.state === 'paused' ? '-' : etaText(p.etaSeconds)}`;
  const files = `${count(endedFiles(p))}/${count(p.files.total)}${p.totalsKnown ? '' : '+'} files`;
  const connections = `${p.connections} conn`;
  // Richest first: the first layout that leaves room for a bar of the least width is drawn.
  const layouts = [
    [percent, files, sizes, speed, connections, eta],
    [percent, files, sizes, speed, eta],
    [percent, sizes, speed, eta],
  ];
  const room = (parts: string[]) => columns - 2 - parts.join(' | ').length;
  const kept = layouts.find((parts) => room(parts) >= MIN_BAR) ?? layouts.at(-1)!;
  const width = Math.min(MAX_BAR, room(kept));
  const text = kept.join(' | ');
  if (width < MIN_BAR) return text.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(fraction * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${text}`;
}
