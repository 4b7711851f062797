import { chmodSync, mkdirSync } from 'node:fs';

/** Files Hoist writes about a person's uploads (journals, reports, locks, settings): theirs alone. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` and any missing parents for this user alone (0700), and narrows an existing `dir` to
 * 0700: journals and reports hold keys, multipart tokens and view links.
 */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
}
