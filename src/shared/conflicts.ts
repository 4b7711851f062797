/** What a batch does with a file whose key holds different content: keep it, replace it, upload beside it, or fail. */
export const CONFLICT_CHOICES = ['skip', 'overwrite', 'rename', 'fail'] as const;

/** One of the conflict choices; `skip` unless the person picks another. */
export type ConflictChoice = (typeof CONFLICT_CHOICES)[number];

/** True when `value` is a conflict choice. */
export function isConflictChoice(value: unknown): value is ConflictChoice {
  return (CONFLICT_CHOICES as readonly unknown[]).includes(value);
}
