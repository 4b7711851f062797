import { formatBytes, type OverallProgress } from '../../../shared/progress';
import { formatCount, formatDuration, formatRate, percent } from '../format';

/** Overall speed, connections, ETA and bytes across every running batch. */
export function OverallBar({ overall }: { overall: OverallProgress }) {
  const idle = overall.batches === 0;
  return (
    <div className="overall" role="status" aria-label="Overall progress">
      <span className="num">{idle ? 'Idle' : `${percent(overall.bytes.done, overall.bytes.total)}%`}</span>
      <span className="num">{idle ? '' : `${formatBytes(overall.throughput)}/s`}</span>
      <span className="num">{idle ? '' : `${formatRate(overall.filesPerSecond)} files/s`}</span>
      <span
        className="num"
        title="Connections the engine uses now: found for your network unless Settings fix a number"
      >
        {idle ? '' : `${overall.connections} connection${overall.connections === 1 ? '' : 's'}`}
      </span>
      <span className="num">{idle ? '' : `ETA ${formatDuration(overall.etaSeconds)}`}</span>
      <span className="num">
        {idle ? '' : `${formatCount(overall.files.finished)} / ${formatCount(overall.files.total)} files`}
      </span>
    </div>
  );
}
