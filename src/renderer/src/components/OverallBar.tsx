import type { BatchView } from '../../../shared/desktop';
import type { OverallProgress } from '../../../shared/progress';
import { formatCount, formatDuration, formatRate, formatSize, percent } from '../format';

/** What the whole window is doing, in words, from its batches' phases: the busiest phase wins. */
export function overallState(batches: readonly BatchView[]): { text: string; tone: 'busy' | 'ok' | 'warn' | 'idle' } {
  const any = (...phases: BatchView['phase'][]) => batches.filter((b) => phases.includes(b.phase)).length;
  const several = (n: number, word: string) => (n > 1 ? `${word} ${formatCount(n)} batches` : word);
  if (!batches.length) return { text: 'Nothing to upload yet', tone: 'idle' };
  if (any('uploading')) return { text: several(any('uploading'), 'Uploading'), tone: 'busy' };
  if (any('planning')) return { text: 'Checking what will upload…', tone: 'busy' };
  if (any('paused')) return { text: 'Paused', tone: 'warn' };
  if (any('ready')) return { text: several(any('ready'), 'Ready to upload'), tone: 'idle' };
  if (any('error', 'interrupted')) return { text: 'Needs your attention', tone: 'warn' };
  const failed = batches.reduce((sum, b) => sum + (b.progress?.files.failed ?? 0), 0);
  if (failed) return { text: `Done with problems: ${formatCount(failed)} failed`, tone: 'warn' };
  return { text: 'All done', tone: 'ok' };
}

/** One labelled value of the header. */
function Stat({ label, value, title }: { label: string; value: string; title?: string }) {
  return (
    <div className="stat" title={title}>
      <dt>{label}</dt>
      <dd className="num">{value}</dd>
    </div>
  );
}

/**
 * The window's state in words, then labelled values across the running and paused batches: done, files,
 * bytes, and while anything uploads, speed, time left and connections (a pause clears them). The values
 * wrap rather than overlap at any width.
 */
export function OverallBar({ overall, batches }: { overall: OverallProgress; batches: readonly BatchView[] }) {
  const state = overallState(batches);
  const moving = batches.some((b) => b.phase === 'uploading');
  return (
    <div className="overall" role="status" aria-label="Overall progress">
      <strong className={`overall-state tone-${state.tone}`}>{state.text}</strong>
      {overall.batches > 0 && (
        <dl className="stats">
          <Stat label="Done" value={`${percent(overall.bytes.done, overall.bytes.total)} %`} />
          <Stat label="Files" value={`${formatCount(overall.files.finished)} of ${formatCount(overall.files.total)}`} />
          <Stat label="Sent" value={`${formatSize(overall.bytes.done)} of ${formatSize(overall.bytes.total)}`} />
          {moving && (
            <>
              <Stat
                label="Speed"
                value={`${formatSize(overall.throughput)}/s · ${formatRate(overall.filesPerSecond)} files/s`}
              />
              <Stat label="Time left" value={formatDuration(overall.etaSeconds)} />
              <Stat
                label="Connections"
                value={formatCount(overall.connections)}
                title="Connections the engine uses now: found for your network unless Settings fix a number"
              />
            </>
          )}
        </dl>
      )}
    </div>
  );
}
