import type { FileOutcome } from '../../shared/outcome';
import type { PendingFile } from '../pipeline/pending-file';

/** An uploaded file's outcome, saying what became of the different file its key held: replaced, or kept beside it. */
export function withConflictNote(file: PendingFile, outcome: FileOutcome): FileOutcome {
  if (!file.conflict || outcome.status !== 'uploaded' || outcome.code) return outcome;
  const { choice, key } = file.conflict;
  return choice === 'overwrite'
    ? { ...outcome, code: 'overwritten', reason: `Replaced the different file at \`${key}\`` }
    : {
        ...outcome,
        code: 'renamed',
        reason: `A different file is at \`${key}\`; uploaded beside it as \`${outcome.key}\``,
      };
}
