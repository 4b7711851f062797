import { z } from 'zod';
import type { BatchProgress } from './progress';

/** IPC channel names, one per call the renderer may make. */
export const IPC = {
  pickFolders: 'hoist:pick-folders',
  addBatches: 'hoist:add-batches',
  control: 'hoist:control',
  progress: 'hoist:progress',
} as const;

/** Payload of `addBatches`: absolute paths of folders or files, 1 to 100 of them. */
export const AddBatchesSchema = z.array(z.string().min(1).max(4096)).min(1).max(100);

/** Payload of `control`: one action on one batch. */
export const ControlSchema = z.strictObject({
  batchId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/u),
  action: z.enum(['pause', 'resume', 'cancel']),
});

export type ControlRequest = z.infer<typeof ControlSchema>;

/** The API the preload exposes to the renderer as `window.hoist`. */
export interface HoistApi {
  /** Opens the native folder picker; resolves to the chosen paths (empty when cancelled). */
  pickFolders(): Promise<string[]>;
  /** Starts one batch per path; resolves to their ids. */
  addBatches(paths: string[]): Promise<string[]>;
  /** Pauses, resumes or cancels a batch. */
  control(request: ControlRequest): Promise<void>;
  /** Calls `listener` with throttled snapshots of every batch; returns an unsubscribe function. */
  onProgress(listener: (batches: BatchProgress[]) => void): () => void;
}
