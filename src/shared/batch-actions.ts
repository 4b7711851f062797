import type { BatchPhase, BatchView } from './desktop';

/** What a person can do to a batch as a whole. */
export const BATCH_ACTIONS = ['start', 'pause', 'resume', 'cancel', 'retryFailed', 'remove'] as const;

/** One of `BATCH_ACTIONS`. */
export type BatchAction = (typeof BATCH_ACTIONS)[number];

/**
 * The actions each phase allows: the one table the service enforces and the batch card renders, in the
 * order the card shows them. A batch being planned can be discarded; one that ended can be removed.
 */
export const PHASE_ACTIONS: Record<BatchPhase, readonly BatchAction[]> = {
  planning: ['cancel'],
  ready: ['start', 'cancel'],
  uploading: ['pause', 'cancel'],
  paused: ['resume', 'cancel'],
  interrupted: ['resume', 'cancel'],
  done: ['retryFailed', 'remove'],
  cancelled: ['remove'],
  error: ['retryFailed', 'remove'],
};

/** The actions `view` allows now: its phase's, with Retry failed only where a file failed (or the batch did). */
export function actionsFor(view: Pick<BatchView, 'phase' | 'progress'>): BatchAction[] {
  return PHASE_ACTIONS[view.phase].filter(
    (action) => action !== 'retryFailed' || view.phase === 'error' || (view.progress?.files.failed ?? 0) > 0,
  );
}

/**
 * True when where the batch goes (and what it does with conflicts) may still change: before it starts,
 * or after it failed before any file moved.
 */
export function canConfigure(view: Pick<BatchView, 'phase' | 'progress'>): boolean {
  return view.phase === 'planning' || view.phase === 'ready' || (view.phase === 'error' && !view.progress);
}

/** Running: a cancel stops transfers rather than discarding a batch that never started. */
export function isRunning(phase: BatchPhase): boolean {
  return phase === 'uploading' || phase === 'paused';
}
