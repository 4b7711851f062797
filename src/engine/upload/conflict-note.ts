import type { FileOutcome } from '../../shared/outcome';
import type { PendingFile } from '../pipeline/pending-file';

/** `path` with its last segment swapped for the last of `key`: `shoot/a.jpg` and `…/shoot/a (1).jpg` give `shoot/a (1).jpg`. */
const withName = (path: string, key: string): string =>
  `${path.slice(0, path.lastIndexOf('/') + 1)}${key.slice(key.lastIndexOf('/') + 1)}`;

/** An uploaded file's outcome, saying what became of the different file its key held: replaced, or kept beside it. */
export function withConflictNote(file: PendingFile, outcome: FileOutcome): FileOutcome {
  if (!file.conflict || outcome.status !== 'uploaded' || outcome.code) return outcome;
  const { choice, key } = file.conflict;
  return choice === 'overwrite'
    ? { ...outcome, code: 'overwritten', reason: `Replaced the different file at \`${key}\`` }
    : {
        ...outcome,
        ...(outcome.key ? { renamedTo: withName(file.path, outcome.key) } : {}),
        code: 'renamed',
        reason: `A different file is at \`${key}\`; uploaded beside it as \`${outcome.key}\``,
      };
}
