import type { BatchView } from '../../../shared/desktop';
import type { ControlRequest } from '../../../shared/ipc';
import { formatBytes } from '../../../shared/progress';
import { baseName, formatCount, formatDuration, percent } from '../format';

type Action = ControlRequest['action'];

const PHASE_LABEL: Record<BatchView['phase'], string> = {
  planning: 'Planning…',
  ready: 'Ready to upload',
  uploading: 'Uploading',
  paused: 'Paused',
  done: 'Done',
  cancelled: 'Cancelled',
  error: 'Could not upload',
  interrupted: 'Interrupted: resume to finish',
};

function Plan({ plan }: { plan: NonNullable<BatchView['plan']> }) {
  return (
    <div className="plan" aria-label="Plan">
      <p>
        <strong className="num">{formatCount(plan.upload.files)}</strong> files will upload (
        {formatBytes(plan.upload.bytes)}), <strong className="num">{formatCount(plan.rejected.files)}</strong> rejected,{' '}
        <strong className="num">{formatCount(plan.skipped.files)}</strong> skipped.
      </p>
      {plan.rejected.reasons.length > 0 && (
        <ul className="reasons">
          {plan.rejected.reasons.map((r) => (
            <li key={r.code}>
              <span className="num">{r.files}</span> × {r.reason} <span className="muted">(e.g. {r.example})</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** One batch: its phase, plan or progress, the error to act on, and the actions that fit its phase. */
export function BatchCard({
  batch,
  selected,
  onSelect,
  onAction,
  onOpenReport,
}: {
  batch: BatchView;
  selected: boolean;
  onSelect: () => void;
  onAction: (action: Action) => void;
  onOpenReport: () => void;
}) {
  const p = batch.progress;
  const { phase } = batch;
  const running = phase === 'uploading' || phase === 'paused';
  const ended = phase === 'done' || phase === 'cancelled' || phase === 'error';
  return (
    <li className={selected ? 'batch selected' : 'batch'} aria-label={`Batch ${baseName(batch.root)}`}>
      <button className="batch-head" onClick={onSelect} aria-pressed={selected} title={batch.root}>
        <span className="batch-root">{baseName(batch.root)}</span>
        <span className={`phase phase-${phase}`}>{PHASE_LABEL[phase]}</span>
      </button>
      {phase === 'ready' && batch.plan && <Plan plan={batch.plan} />}
      {p && (
        <>
          <progress max={100} value={percent(p.bytes.done, p.bytes.total)} aria-label="Bytes uploaded" />
          <div className="batch-numbers">
            <span className="num">
              {formatCount(p.files.uploaded + p.files.skipped + p.files.failed)} / {formatCount(p.files.total)} files
            </span>
            <span className="num">
              {formatBytes(p.bytes.done)} / {formatBytes(p.bytes.total)}
            </span>
            <span className="num">{phase === 'uploading' ? `${formatBytes(p.throughput)}/s` : ''}</span>
            <span className="num">{phase === 'uploading' ? `ETA ${formatDuration(p.etaSeconds)}` : ''}</span>
            <span className={p.files.failed ? 'num failed' : 'num'}>{formatCount(p.files.failed)} failed</span>
          </div>
        </>
      )}
      {batch.error && (
        <div role="alert" className="error">
          <strong>{batch.error.message}</strong>
          <span>{batch.error.hint}</span>
        </div>
      )}
      <div className="batch-actions">
        {phase === 'ready' && <button onClick={() => onAction('start')}>Upload</button>}
        {phase === 'interrupted' && <button onClick={() => onAction('resume')}>Resume</button>}
        {phase === 'uploading' && <button onClick={() => onAction('pause')}>Pause</button>}
        {phase === 'paused' && <button onClick={() => onAction('resume')}>Resume</button>}
        {(running || phase === 'ready' || phase === 'interrupted') && (
          <button onClick={() => onAction('cancel')}>{running ? 'Cancel' : 'Discard'}</button>
        )}
        {(phase === 'done' || phase === 'error') && (p?.files.failed || phase === 'error') ? (
          <button onClick={() => onAction('retryFailed')}>{phase === 'error' ? 'Try again' : 'Retry failed'}</button>
        ) : null}
        {batch.hasReport && <button onClick={onOpenReport}>Open report</button>}
        {ended && <button onClick={() => onAction('remove')}>Remove</button>}
      </div>
    </li>
  );
}
