import { useEffect, useState } from 'react';
import type { ConflictChoice } from '../../../shared/conflicts';
import { actionsFor, canConfigure, isRunning, type BatchAction } from '../../../shared/batch-actions';
import type { BatchPhase, BatchView, ReasonGroup } from '../../../shared/desktop';
import type { ConfigureBatchRequest, ControlRequest } from '../../../shared/ipc';
import { baseName, formatCount, formatDuration, formatRate, formatSize, percent } from '../format';
import { ConflictPrompt } from './ConflictPrompt';
import { DestinationField } from './DestinationField';

type Action = ControlRequest['action'];

/** The words on each action's button; a cancel before the batch runs discards it, a retry after a failed batch tries again. */
function actionLabel(action: BatchAction, phase: BatchPhase): string {
  if (action === 'start') return 'Upload';
  if (action === 'cancel') return isRunning(phase) ? 'Cancel' : 'Discard';
  if (action === 'retryFailed') return phase === 'error' ? 'Try again' : 'Retry failed';
  return action === 'pause' ? 'Pause' : action === 'resume' ? 'Resume' : 'Remove';
}

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

/** Files grouped by why they will not upload: how many, the reason, one of them. */
function Reasons({ groups, label }: { groups: ReasonGroup[]; label: string }) {
  if (!groups.length) return null;
  return (
    <ul className="reasons" aria-label={label}>
      {groups.map((r) => (
        <li key={r.code}>
          <span className="num">{r.files}</span> × {r.reason} <span className="muted">(e.g. {r.example})</span>
        </li>
      ))}
    </ul>
  );
}

function Plan({ plan }: { plan: NonNullable<BatchView['plan']> }) {
  return (
    <div className="plan" aria-label="Plan">
      <p>
        <strong className="num">{formatCount(plan.upload.files)}</strong> files will upload (
        {formatSize(plan.upload.bytes)}), <strong className="num">{formatCount(plan.rejected.files)}</strong> rejected,{' '}
        <strong className="num">{formatCount(plan.skipped.files)}</strong> skipped.
      </p>
      {(plan.alreadyThere.files > 0 || plan.conflicts.files > 0) && (
        <p>
          <strong className="num">{formatCount(plan.alreadyThere.files)}</strong> already there (
          {formatSize(plan.alreadyThere.bytes)} not sent again)
          {plan.conflicts.files > 0 && (
            <>
              , <strong className="num conflict">{formatCount(plan.conflicts.files)}</strong> with a different version
              there
            </>
          )}
          .
        </p>
      )}
      {plan.quotas.map((quota) => (
        <p key={quota} className="quota" role="status">
          {quota}
        </p>
      ))}
      <Reasons groups={plan.rejected.reasons} label="Why files are rejected" />
      <Reasons groups={plan.skipped.reasons} label="Why files are skipped" />
    </div>
  );
}

/** Copy (says so for a moment once copied) and, where the signer gives a page for it, Open. */
function PlaceActions({
  place,
  onPlace,
}: {
  place: NonNullable<BatchView['place']>;
  onPlace: (what: 'copy' | 'open') => Promise<boolean>;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2000);
    return () => clearTimeout(timer);
  }, [copied]);
  return (
    <span className="place-actions">
      <button
        className="small"
        title={`Copy ${place.path}`}
        aria-label="Copy where the files go"
        onClick={() => void onPlace('copy').then((done) => done && setCopied(true))}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      {place.canOpen && (
        <button className="small" aria-label="Open where the files go" onClick={() => void onPlace('open')}>
          Open
        </button>
      )}
    </span>
  );
}

/** Where the batch goes, as the card says it. */
const whereTo = (batch: BatchView): string => batch.destination ?? `a new folder, ${batch.batchId}`;

/**
 * One batch: where it goes, its phase, plan or progress, the error to act on, and the actions that fit
 * its phase. Before it starts, its destination can change; conflicts there are settled once, on Upload.
 */
export function BatchCard({
  batch,
  selected,
  recentDestinations,
  onSelect,
  onAction,
  onConfigure,
  onOpenReport,
  onOpenSettings,
  onPlace,
}: {
  batch: BatchView;
  selected: boolean;
  recentDestinations: string[];
  onSelect: () => void;
  onAction: (action: Action) => void;
  onConfigure: (request: ConfigureBatchRequest) => Promise<void>;
  onOpenReport: () => void;
  onOpenSettings: () => void;
  /** Copies where the files land, or opens the signer's page of it; resolves to whether it did. */
  onPlace: (what: 'copy' | 'open') => Promise<boolean>;
}) {
  const [asking, setAsking] = useState(false);
  const [confirmingCancel, setConfirmingCancel] = useState(false);
  const [problem, setProblem] = useState<string>();
  const p = batch.progress;
  const { phase, plan } = batch;
  const editable = canConfigure(batch);
  const actions = actionsFor(batch);
  // Refusals are the policy's answer, not a failure: a batch whose only problems they are is done.
  const refusedOnly = phase === 'done' && p !== undefined && p.files.rejected > 0 && p.files.failed === 0;
  const withProblems = phase === 'done' && p !== undefined && p.files.failed > 0;
  const phaseText = withProblems
    ? `Done with problems: ${formatCount(p.files.failed)} failed`
    : refusedOnly
      ? `Done, ${formatCount(p.files.rejected)} not allowed`
      : PHASE_LABEL[phase];
  const phaseClass = withProblems ? 'done-problems' : refusedOnly ? 'done-refused' : phase;
  // Cancelling a running batch is asked once: what is uploaded stays, the rest is not sent.
  const act = (action: Action) =>
    action === 'cancel' && isRunning(phase) ? setConfirmingCancel(true) : onAction(action);
  const configure = (destination: string, onConflict: ConflictChoice) =>
    onConfigure({ batchId: batch.batchId, destination, onConflict });
  const upload = () => {
    if (plan?.conflicts.files) setAsking(true);
    else onAction('start');
  };
  return (
    <li className={selected ? 'batch selected' : 'batch'} aria-label={`Batch ${baseName(batch.root)}`}>
      <button className="batch-head" onClick={onSelect} aria-pressed={selected} title={batch.root}>
        <span className="batch-root">
          {baseName(batch.root)}
          {batch.items && <span className="muted"> · {formatCount(batch.items)} items</span>}
        </span>
        <span className={`phase phase-${phaseClass}`}>{phaseText}</span>
      </button>
      {editable ? (
        <DestinationField
          destination={batch.destination}
          recent={recentDestinations}
          onApply={(destination) => configure(destination, batch.onConflict)}
        />
      ) : (
        <div className="where-line">
          <p
            className="where"
            title={batch.destination ? 'Destination' : 'Each batch without a destination gets its own folder'}
          >
            To <span className="where-folder">{whereTo(batch)}</span>
          </p>
          {batch.place && <PlaceActions place={batch.place} onPlace={onPlace} />}
        </div>
      )}
      {phase === 'ready' && plan && <Plan plan={plan} />}
      {asking && plan && (
        <ConflictPrompt
          folder={whereTo(batch)}
          conflicts={plan.conflicts}
          overwriteAllowed={plan.overwriteAllowed}
          initial={batch.onConflict}
          onClose={() => setAsking(false)}
          onChoose={(choice) => {
            setAsking(false);
            configure(batch.destination ?? '', choice).then(
              () => onAction('start'),
              (error: Error) => setProblem(error.message),
            );
          }}
        />
      )}
      {p && (
        <>
          <progress
            max={100}
            value={percent(p.bytes.done, p.bytes.total)}
            aria-label="Bytes uploaded"
            className={withProblems ? 'problems' : undefined}
          />
          <div className="batch-numbers">
            <span className="num">
              {formatCount(p.files.uploaded + p.files.skipped + p.files.failed)} / {formatCount(p.files.total)} files
            </span>
            <span className="num">
              {formatSize(p.bytes.done)} / {formatSize(p.bytes.total)}
            </span>
            <span className="num">{phase === 'uploading' ? `${formatSize(p.throughput)}/s` : ''}</span>
            <span className="num">{phase === 'uploading' ? `${formatRate(p.filesPerSecond)} files/s` : ''}</span>
            <span className="num">{phase === 'uploading' ? `ETA ${formatDuration(p.etaSeconds)}` : ''}</span>
            {p.files.rejected > 0 && <span className="num rejected">{formatCount(p.files.rejected)} not allowed</span>}
            <span className={p.files.failed ? 'num failed' : 'num'}>{formatCount(p.files.failed)} failed</span>
          </div>
        </>
      )}
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      {batch.error && (
        <div role="alert" className="error">
          <strong>{batch.error.message}</strong>
          <span>{batch.error.hint}</span>
        </div>
      )}
      {confirmingCancel && (
        <div role="alertdialog" aria-label="Cancel this upload?" className="confirm">
          <p>
            Cancel this upload? The {formatCount(p?.files.uploaded ?? 0)} files already uploaded stay uploaded; the rest
            are not sent.
          </p>
          <div className="batch-actions">
            <button onClick={() => setConfirmingCancel(false)} autoFocus>
              Keep uploading
            </button>
            <button
              className="danger"
              onClick={() => {
                setConfirmingCancel(false);
                onAction('cancel');
              }}
            >
              Cancel upload
            </button>
          </div>
        </div>
      )}
      <div className="batch-actions">
        {actions
          .filter((action) => action !== 'remove')
          .map((action) => (
            <button
              key={action}
              className={action === 'start' ? 'primary' : undefined}
              onClick={action === 'start' ? upload : () => act(action)}
            >
              {actionLabel(action, phase)}
            </button>
          ))}
        {batch.error && <button onClick={onOpenSettings}>Open Settings</button>}
        {batch.hasReport && <button onClick={onOpenReport}>Open report</button>}
        {actions.includes('remove') && <button onClick={() => onAction('remove')}>Remove</button>}
      </div>
    </li>
  );
}
