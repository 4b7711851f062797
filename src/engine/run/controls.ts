import { setMaxListeners } from 'node:events';
import type PQueue from 'p-queue';
import { errors } from '../errors';
import type { ProgressTracker } from './progress-tracker';

/** Abort listeners one part in flight may hold on its file's signal (see `signalFor`). */
const LISTENERS_PER_PART = 4;

/** A gate that holds callers until it is opened. */
interface Gate {
  wait: Promise<void>;
  open(): void;
}

function gate(): Gate {
  let open = (): void => undefined;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * Pause, resume and cancel for one batch and each of its files, and the one way its transfers take a
 * connection: through the shared queue, never while paused, never once cancelled.
 */
export class BatchControls {
  readonly #queue: PQueue;
  readonly #concurrency: number;
  readonly #tracker: ProgressTracker;
  readonly #controller = new AbortController();
  readonly #fileControllers = new Map<string, AbortController>();
  /** Files cancelled one by one, including those not signed yet: they must never start. */
  readonly #cancelledFiles = new Set<string>();
  readonly #pausedFiles = new Map<string, Gate>();
  #pauseGate: Gate | undefined;

  /** `concurrency` is the most transfers the queue may ever run at once. */
  constructor(queue: PQueue, concurrency: number, tracker: ProgressTracker) {
    this.#queue = queue;
    this.#concurrency = concurrency;
    this.#tracker = tracker;
  }

  /** Aborted when the whole batch is cancelled. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True while the whole batch is paused. */
  get paused(): boolean {
    return this.#pauseGate !== undefined;
  }

  /** Stops new transfers of the batch from starting; those in flight finish. */
  pause(): void {
    this.#pauseGate ??= gate();
  }

  /** Lets a paused batch go on. */
  resume(): void {
    this.#pauseGate?.open();
    this.#pauseGate = undefined;
  }

  /** Cancels the batch: every transfer aborts, and nothing new starts. */
  cancel(): void {
    this.#controller.abort();
    for (const controller of this.#fileControllers.values()) controller.abort();
    this.resume();
    for (const paused of this.#pausedFiles.values()) paused.open();
  }

  /** Holds one file back until `resumeFile`; a transfer in flight finishes first. */
  pauseFile(path: string): void {
    if (this.#pausedFiles.has(path)) return;
    this.#pausedFiles.set(path, gate());
    this.#tracker.setPaused(path, true);
  }

  /** Releases a file held by `pauseFile`. */
  resumeFile(path: string): void {
    const paused = this.#pausedFiles.get(path);
    this.#pausedFiles.delete(path);
    this.#tracker.setPaused(path, false);
    paused?.open();
  }

  /** Cancels one file, whether it is running or not signed yet. */
  cancelFile(path: string): void {
    this.#cancelledFiles.add(path);
    this.#fileControllers.get(path)?.abort();
    this.resumeFile(path);
  }

  /** True when `path` was cancelled on its own. */
  isCancelled(path: string): boolean {
    return this.#cancelledFiles.has(path);
  }

  /** Waits while the batch is paused (not a file alone): for work that is the batch's, such as signing. */
  async whilePaused(): Promise<void> {
    if (this.#pauseGate) await this.#pauseGate.wait;
  }

  /**
   * The signal of one file's transfers, aborted when the file or the whole batch is cancelled; call
   * `release(path)` once the file has ended.
   */
  signalFor(path: string): AbortSignal {
    const controller = new AbortController();
    // A multipart file has up to two parts per connection queued or running, each listened for by its
    // retry loop, its queue slot, its request and the bandwidth limiter: more than Node's default of 10.
    setMaxListeners(LISTENERS_PER_PART * 2 * this.#concurrency, controller.signal);
    if (this.#cancelledFiles.has(path) || this.#controller.signal.aborted) controller.abort();
    this.#fileControllers.set(path, controller);
    return controller.signal;
  }

  /** Forgets a file's signal once the file has ended. */
  release(path: string): void {
    this.#fileControllers.delete(path);
  }

  /** Waits while the batch or the file is paused; throws when cancelled. */
  async gate(path: string, signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw errors.cancelled();
      if (this.#pauseGate) await this.#pauseGate.wait;
      else if (this.#pausedFiles.has(path)) await this.#pausedFiles.get(path)!.wait;
      else return;
    }
  }

  /**
   * Runs `task` in the shared queue once the batch and the file are not paused. A task that reaches the
   * front while paused gives its slot back and waits outside the queue, so a paused batch never holds
   * connections that other batches could use.
   */
  async runInQueue<T>(path: string, signal: AbortSignal, task: () => Promise<T>): Promise<T> {
    const yielded = Symbol('yielded');
    for (;;) {
      await this.gate(path, signal);
      const result = await this.#queue.add(async (): Promise<T | typeof yielded> => {
        if (signal.aborted) throw errors.cancelled();
        return this.#pauseGate || this.#pausedFiles.has(path) ? yielded : task();
      });
      if (result !== yielded) return result as T;
    }
  }
}
