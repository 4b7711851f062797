import * as z from 'zod';
import { BATCH_ACTIONS } from './batch-actions';
import { isBatchId } from '@hoist/protocol/batch-id';
import { CONFLICT_CHOICES } from './conflicts';
import { isLoopbackHost } from '@hoist/protocol/hosts';
import { CONCURRENCY } from './engine-limits';
import { PROXY_URL } from './proxy-settings';
import type { AccountView, DesktopUpdate, FilePage, SettingsView } from './desktop';

const BatchIdSchema = z.string().refine(isBatchId, 'not a batch id');
/** The host of an absolute http(s) URL (an IPv6 address in brackets), read without the DOM's URL. */
const hostOf = (url: string): string => /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^/:?#]*)/iu.exec(url)?.[1] ?? '';
const RelativePathSchema = z.string().min(1).max(4096);

/** Payload of `addBatches`: absolute paths of folders or files, 1 to 100 of them. */
export const AddBatchesSchema = z.array(z.string().min(1).max(4096)).min(1).max(100);

/** Payload of `control`: one action on one batch. */
export const ControlSchema = z.strictObject({
  batchId: BatchIdSchema,
  action: z.enum(BATCH_ACTIONS),
});

/** Payload of `controlFile`: one action on one file of a batch. */
export const ControlFileSchema = z.strictObject({
  batchId: BatchIdSchema,
  path: RelativePathSchema,
  action: z.enum(['pause', 'resume', 'cancel']),
});

/** Which rows of a batch's file table to show; `active` is `uploading` (paused files too) and `waiting` together. */
export const FileFilterSchema = z.enum(['all', 'active', 'uploading', 'waiting', 'rejected', 'failed', 'done']);

/**
 * Payload of `configureBatch`: where a batch that has not started goes (empty: its own new folder) and
 * what it does with conflicts. The engine checks the destination against the path rules and the policy.
 */
export const ConfigureBatchSchema = z.strictObject({
  batchId: BatchIdSchema,
  destination: z.string().max(1024),
  onConflict: z.enum(CONFLICT_CHOICES),
});

/** Payload of `listFiles`: one page of one batch's files, in path order, whose path holds `query` if given. */
export const ListFilesSchema = z.strictObject({
  batchId: BatchIdSchema,
  filter: FileFilterSchema,
  query: z.string().max(256).optional(),
  offset: z.int().min(0),
  limit: z.int().min(1).max(1000),
});

/** Payload of `copyLink`: the file whose view link goes to the clipboard. */
export const FileRefSchema = z.strictObject({ batchId: BatchIdSchema, path: RelativePathSchema });

/**
 * Payload of `saveSettings`. An absent token keeps the saved one (for the same signer origin only); an
 * empty one forgets it. A signer over plain http must be on this machine: the token would cross the
 * network in the clear.
 */
export const SettingsInputSchema = z.strictObject({
  signerUrl: z.union([
    z.literal(''),
    z.url({ protocol: /^https?$/u }).refine((url) => url.startsWith('https:') || isLoopbackHost(hostOf(url)), {
      message: 'a signer over http must be on this machine (127.0.0.1, ::1, localhost); use https',
    }),
  ]),
  token: z.string().max(4096).optional(),
  /** A number pins the connections; `auto` lets the engine find them. */
  concurrency: z.union([z.literal('auto'), z.int().min(CONCURRENCY.min).max(CONCURRENCY.max)]),
  /** The system's proxy settings, none, or one given by hand with the hosts to reach straight. */
  proxy: z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('system') }),
    z.strictObject({ mode: z.literal('none') }),
    z.strictObject({
      mode: z.literal('manual'),
      url: z.string().regex(PROXY_URL, { message: 'a proxy is http://host:port or https://host:port' }),
      noProxy: z.string().max(2000),
    }),
  ]),
  /** A PEM file of extra certificate authorities to trust (one the person picked with Browse…); null for none. */
  caFile: z.string().min(1).max(4096).nullable(),
  /** Mebibytes (2^20 bytes) per second; null for no limit. */
  bandwidthMiBps: z.number().positive().max(100_000).nullable(),
  /** Follow symlinks that lead outside a batch's folder. */
  followSymlinks: z.boolean(),
  /** Start each batch as soon as its plan is ready and holds no conflict, with no Upload click. */
  autoStart: z.boolean().default(false),
});

export type ControlRequest = z.infer<typeof ControlSchema>;
export type ControlFileRequest = z.infer<typeof ControlFileSchema>;
export type ConfigureBatchRequest = z.infer<typeof ConfigureBatchSchema>;
export type FileFilter = z.infer<typeof FileFilterSchema>;
export type ListFilesRequest = z.infer<typeof ListFilesSchema>;
export type FileRef = z.infer<typeof FileRefSchema>;
export type SettingsInput = z.infer<typeof SettingsInputSchema>;

/** The API the preload exposes to the renderer as `window.hoist`. */
export interface HoistApi {
  /** Opens the native folder picker; resolves to the chosen paths (empty when cancelled). */
  pickFolders(): Promise<string[]>;
  /** Opens the native file picker; resolves to the chosen paths (empty when cancelled). */
  pickFiles(): Promise<string[]>;
  /** Opens the native file picker for a PEM file of extra CAs; resolves to its path, or null when cancelled. */
  pickCaFile(): Promise<string | null>;
  /** Plans one batch per path against the signer's policy; resolves to their ids. */
  addBatches(paths: string[]): Promise<string[]>;
  /** Sets a batch's destination and conflict choice before it starts; a new destination plans it again. */
  configureBatch(request: ConfigureBatchRequest): Promise<void>;
  /** Starts, pauses, resumes, cancels, retries the failed files of, or removes a batch. */
  control(request: ControlRequest): Promise<void>;
  /** Pauses, resumes or cancels one file. */
  controlFile(request: ControlFileRequest): Promise<void>;
  /** One page of a batch's file table, filtered. */
  listFiles(request: ListFilesRequest): Promise<FilePage>;
  /** Copies a file's view link to the clipboard. */
  copyLink(request: FileRef): Promise<void>;
  /** Copies a file's path, status and whole reason to the clipboard, to read or send on. */
  copyDetails(request: FileRef): Promise<void>;
  /** Asks the signer of the saved settings who this person is there and what they may upload. */
  checkSigner(): Promise<AccountView>;
  /** Opens a finished batch's report with the system's default app. */
  openReport(batchId: string): Promise<void>;
  /** Copies where a batch's files land in the bucket (`users/ann/trip/`) to the clipboard. */
  copyPlace(batchId: string): Promise<void>;
  /** Opens the signer's page that shows where a batch's files land, in the system browser. */
  openPlace(batchId: string): Promise<void>;
  /** The settings, without the token itself. */
  getSettings(): Promise<SettingsView>;
  /** Validates and saves the settings; new batches use them. */
  saveSettings(input: SettingsInput): Promise<SettingsView>;
  /** Signs in to the signer's identity provider in the system browser (code flow with PKCE). */
  signIn(): Promise<SettingsView>;
  /** Forgets the sign-in. */
  signOut(): Promise<SettingsView>;
  /** Calls `listener` with throttled updates of every batch; returns an unsubscribe function. */
  onUpdate(listener: (update: DesktopUpdate) => void): () => void;
}
