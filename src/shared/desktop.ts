import type { ConflictChoice } from './conflicts';
import type { FileVersion } from './outcome';
import type { ProxySetting } from './proxy-settings';
import type { BatchProgress, OverallProgress } from './progress';

/** Where a batch is in the desktop app's life cycle. */
export type BatchPhase =
  | 'planning'
  | 'ready'
  | 'uploading'
  | 'paused'
  | 'done'
  | 'cancelled'
  | 'error'
  /** Found unfinished in a journal at launch: resumable. */
  | 'interrupted';

/** Files of a plan that end for one reason: how many, the reason in words, and one of them. */
export interface ReasonGroup {
  code: string;
  reason: string;
  files: number;
  example: string;
}

/** What a batch will do, from the signer's policy, before any byte moves. */
export interface PlanSummary {
  /** Files that will upload: nothing is at their key. */
  upload: { files: number; bytes: number };
  /** Files whose key already holds the same content: skipped, no byte sent. */
  alreadyThere: { files: number; bytes: number };
  /** Files in conflict; a few examples with both versions, for the person to choose. */
  conflicts: {
    files: number;
    bytes: number;
    examples: { path: string; reason: string; here: FileVersion; there: FileVersion }[];
  };
  /** Whether the signer lets this user replace objects, so the conflict prompt offers it only then. */
  overwriteAllowed: boolean;
  /** Files the signer's policy refuses, grouped by why. */
  rejected: { files: number; reasons: ReasonGroup[] };
  /** Files Hoist will not send (ignored, a symlink leading outside, not a file), grouped by why. */
  skipped: { files: number; reasons: ReasonGroup[] };
  /** Files that cannot be read. */
  unreadable: { files: number };
  /** Each quota the upload goes past, in words. */
  quotas: string[];
}

/** An error a person can act on: what went wrong and what to do. */
export interface ActionableError {
  code: string;
  message: string;
  hint: string;
}

/** One batch as the window shows it. */
export interface BatchView {
  batchId: string;
  root: string;
  /** The folder inside the caller's prefix the batch goes to; its own new folder when absent. */
  destination?: string;
  /** What the batch does where the destination holds a different file. */
  onConflict: ConflictChoice;
  phase: BatchPhase;
  /** How many files and folders were dropped or picked together into this batch; absent for one. */
  items?: number;
  plan?: PlanSummary;
  progress?: BatchProgress;
  error?: ActionableError;
  /** Set once the batch ended and its report was written. */
  hasReport: boolean;
  /**
   * Where its files land in the bucket (`users/ann/trip/`), once a plan has read the user's prefix;
   * `canOpen` when the signer gives a page that shows it.
   */
  place?: { path: string; canOpen: boolean };
}

/** What the window receives, at most about ten times a second. */
export interface DesktopUpdate {
  batches: BatchView[];
  /** Destinations batches went to lately, newest first, for the destination field. */
  recentDestinations: string[];
  overall: OverallProgress;
  warnings: string[];
}

/** The state of one row of the file table. */
export type FileRowStatus = 'queued' | 'uploading' | 'paused' | 'uploaded' | 'skipped' | 'rejected' | 'failed';

/** One file of a batch, as the file table shows it. */
export interface FileRow {
  path: string;
  size: number;
  status: FileRowStatus;
  bytesDone: number;
  reason?: string;
  hasLink: boolean;
}

/** A page of a batch's files under one filter, with the count per filter. */
export interface FilePage {
  total: number;
  counts: {
    all: number;
    active: number;
    uploading: number;
    waiting: number;
    rejected: number;
    failed: number;
    done: number;
  };
  offset: number;
  rows: FileRow[];
}

/** The settings as the window sees them: never the token itself. */
export interface SettingsView {
  /** Empty for the embedded local signer and store. */
  signerUrl: string;
  hasToken: boolean;
  /** How the token is kept: encrypted by the OS, for this session only, or not at all. */
  tokenStorage: 'encrypted' | 'session-only' | 'none';
  /** The identity provider this person signed in with for the signer, or null. */
  signedInWith: string | null;
  /** A number pins the connections; `auto` lets the engine find them. */
  concurrency: number | 'auto';
  proxy: ProxySetting;
  /** A PEM file of extra certificate authorities to trust, or null. */
  caFile: string | null;
  /** Mebibytes (2^20 bytes) per second; null for no limit. */
  bandwidthMiBps: number | null;
  /** Follow symlinks that lead outside a batch's folder (skipped by default). */
  followSymlinks: boolean;
  /** Batches start as soon as their plan is ready (and holds no conflict). */
  autoStart: boolean;
}

/** Who this person is to the signer and what they may upload, as Settings' Check shows it. */
export interface AccountView {
  /** The signer's URL, or `embedded` for the local one. */
  signer: string;
  version: string | null;
  user: string;
  prefix: string;
  /** The folders they may upload into, or null for any inside the prefix. */
  destinations: string[] | null;
  allowedTypes: string[];
  maxFileSize: number;
  /** Each quota in words with what is left: `500 files a day: 480 left`. */
  quotas: string[];
}

/** The hint shown with an error code, so every error says what to do next. */
export function hintFor(code: string): string {
  if (code === 'signer-unreachable') return 'Check the signer URL in Settings and your network, then try again.';
  if (code === 'unauthorized' || code === 'http-401' || code === 'forbidden')
    return 'The signer refused the token: paste a valid one in Settings.';
  if (code === 'rate-limited' || code === 'http-429') return 'The signer is busy; wait a moment and try again.';
  if (code === 'not-found') return 'The folder or file is gone; add it again.';
  if (code === 'sign-in-expired' || code === 'refresh-refused')
    return 'Your sign-in has ended: sign in again in Settings.';
  if (code === 'tokens-only') return 'This signer takes no sign-in: paste the token your admin gave you in Settings.';
  if (code === 'no-sign-in-info' || code === 'audience-mismatch')
    return 'Check that the signer URL in Settings is the signer your team runs.';
  return 'Try again; if it keeps failing, the report lists every file with its reason.';
}
