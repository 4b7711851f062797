import type { BatchProgress } from '../shared/progress';

/**
 * Collects batch snapshots and sends the latest of each to the renderer at most every `intervalMs`,
 * so the IPC rate stays the same whatever the number of files or chunks.
 */
export class ProgressRelay {
  readonly #latest = new Map<string, BatchProgress>();
  readonly #send: (batches: BatchProgress[]) => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(send: (batches: BatchProgress[]) => void, intervalMs = 100) {
    this.#send = send;
    this.#intervalMs = intervalMs;
  }

  /** Records a snapshot; it goes out with the next tick. */
  push(progress: BatchProgress): void {
    this.#latest.set(progress.batchId, progress);
    this.#dirty = true;
    this.#timer ??= setInterval(() => this.flush(), this.#intervalMs);
  }

  /** Sends now if anything changed since the last send; stops ticking when idle. */
  flush(): void {
    if (!this.#dirty) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    this.#dirty = false;
    this.#send([...this.#latest.values()]);
  }
}
