import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { ConflictChoice } from '../../../shared/conflicts';
import type { PlanSummary } from '../../../shared/desktop';
import type { FileVersion } from '../../../shared/outcome';
import { formatCount, formatDateTime, formatSize } from '../format';

const CHOICES: { id: ConflictChoice; label: string; detail: string }[] = [
  { id: 'skip', label: 'Skip them', detail: 'Keep what is there; these files are not sent.' },
  { id: 'overwrite', label: 'Replace them', detail: 'Upload these files over the ones there.' },
  { id: 'rename', label: 'Keep both', detail: 'Upload these files beside the others, as “name (1).ext”.' },
  { id: 'fail', label: 'Mark them failed', detail: 'Send nothing for them, and list them as failed.' },
];

/** `2.5 MB, changed 3 Dec 2026, 14:02`: one version's size and time, as far as they are known. */
function versionText({ size, modified }: FileVersion, changed: string): string {
  return modified === undefined ? formatSize(size) : `${formatSize(size)}, ${changed} ${formatDateTime(modified)}`;
}

/**
 * Asked once per batch before it starts, when its destination holds different files under some of its
 * names: what to do with all of them. Replacing is offered only where the signer allows it.
 */
export function ConflictPrompt({
  folder,
  conflicts,
  overwriteAllowed,
  initial,
  onChoose,
  onClose,
}: {
  folder: string;
  conflicts: PlanSummary['conflicts'];
  overwriteAllowed: boolean;
  initial: ConflictChoice;
  onChoose: (choice: ConflictChoice) => void;
  onClose: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [choice, setChoice] = useState<ConflictChoice>(initial === 'overwrite' && !overwriteAllowed ? 'skip' : initial);
  useEffect(() => dialog.current?.showModal(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChoose(choice);
  };
  return (
    <dialog ref={dialog} aria-label="Files already at the destination" className="conflicts" onClose={onClose}>
      <form onSubmit={submit}>
        <h2>
          {formatCount(conflicts.files)} {conflicts.files === 1 ? 'file has' : 'files have'} a different version at the
          destination
        </h2>
        <p className="muted">
          {folder}: {formatSize(conflicts.bytes)} in conflict.
        </p>
        <ul className="reasons">
          {conflicts.examples.map((c) => (
            <li key={c.path}>
              <strong>{c.path}</strong>
              <dl className="versions">
                <dt>On this computer</dt>
                <dd>{versionText(c.here, 'changed')}</dd>
                <dt>At the destination</dt>
                <dd>{versionText(c.there, 'uploaded')}</dd>
              </dl>
            </li>
          ))}
          {conflicts.files > conflicts.examples.length && (
            <li className="muted">and {formatCount(conflicts.files - conflicts.examples.length)} more</li>
          )}
        </ul>
        <fieldset>
          <legend>For all of them</legend>
          {CHOICES.map(({ id, label, detail }) => {
            const disabled = id === 'overwrite' && !overwriteAllowed;
            return (
              <label key={id} className={disabled ? 'choice disabled' : 'choice'}>
                <input
                  type="radio"
                  name="onConflict"
                  value={id}
                  checked={choice === id}
                  disabled={disabled}
                  onChange={() => setChoice(id)}
                />
                <span>
                  {label}
                  <span className="muted">
                    {disabled ? " The signer's policy does not let you replace files." : ` ${detail}`}
                  </span>
                </span>
              </label>
            );
          })}
        </fieldset>
        <div className="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary">
            Upload
          </button>
        </div>
      </form>
    </dialog>
  );
}
