import { stat } from 'node:fs/promises';
import { sep } from 'node:path';
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { workerStart } from '../worker-location';
import type { FolderCount } from './folder-count';
import { DEFAULT_IGNORE, type ScanEntry, type ScanOptions } from './scan-entries';
import type { FromScanWorker, ToScanWorker } from './scan-messages';

/** Idle scan threads kept for the next scan (a thread starts in tens of milliseconds, from sources in hundreds). */
const IDLE_KEPT = 2;
const idle: ScanThread[] = [];

/** A count on a scan thread, waiting for its totals. */
interface PendingCount {
  resolve: (count: FolderCount) => void;
  reject: (error: Error) => void;
}

let lastCountId = 0;

/** What the thread sends of a walk. */
type WalkMessage = Extract<FromScanWorker, { t: 'entries' | 'end' | 'error' }>;

/**
 * A thread that walks one folder at a time (scan-worker.ts), its entries taken chunk by chunk, and counts
 * folders beside the walk.
 */
class ScanThread {
  readonly #worker: Worker;
  #inbox: WalkMessage[] = [];
  #arrived: (() => void) | undefined;
  #failure: Error | undefined;
  readonly #counts = new Map<number, PendingCount>();
  /** The walk and the counts under way: the thread keeps the process alive while there are any. */
  #uses = 0;

  constructor() {
    const start = workerStart('scan');
    this.#worker = new Worker(start.eval ? start.source : start.file, { eval: start.eval });
    this.#worker.on('message', (message: FromScanWorker) => this.#receive(message));
    this.#worker.on('error', (error) => this.#stop(error));
    this.#worker.on('exit', (code) => this.#stop(new Error(`The scan thread stopped (exit code ${code})`)));
  }

  /** Starts a thread for the next scan now, unless one is kept idle already. */
  static warm(): void {
    if (idle.length) return;
    const thread = new ScanThread();
    thread.#worker.unref();
    idle.push(thread);
  }

  /** A kept idle thread, or a new one. */
  static take(): ScanThread {
    const thread = idle.pop() ?? new ScanThread();
    thread.#use();
    return thread;
  }

  /** The thread the next scan takes, when one is kept idle. */
  static kept(): ScanThread | undefined {
    return idle.at(-1);
  }

  /**
   * Counts the folder `root` on `thread`, else on the thread the next scan takes (its walk and the count
   * then share it), starting one if none is kept; stops early, with what it has, when `signal` aborts.
   */
  static count(
    root: string,
    ignore: readonly string[],
    only: readonly string[] | undefined,
    signal: AbortSignal | undefined,
    thread?: ScanThread,
  ): Promise<FolderCount> {
    if (thread) return thread.#count(root, ignore, only, signal);
    ScanThread.warm();
    return idle.at(-1)!.#count(root, ignore, only, signal);
  }

  #count(
    root: string,
    ignore: readonly string[],
    only?: readonly string[],
    signal?: AbortSignal,
  ): Promise<FolderCount> {
    const id = ++lastCountId;
    const stop = () => this.#post({ t: 'stop-count', id });
    this.#use();
    return new Promise<FolderCount>((resolve, reject) => {
      if (this.#failure) return reject(this.#failure);
      this.#counts.set(id, { resolve, reject });
      this.#post({ t: 'count', id, root, ignore, ...(only ? { only } : {}) });
      if (signal?.aborted) stop();
      else signal?.addEventListener('abort', stop, { once: true });
    }).finally(() => {
      signal?.removeEventListener('abort', stop);
      this.#letGo();
    });
  }

  /** The walk of `root`, chunk by chunk; throws what stopped it. */
  async *walk(root: string, ignore: readonly string[], options: ScanOptions): AsyncGenerator<ScanEntry[]> {
    this.#post({ t: 'scan', root, ignore, options: { ...options } });
    for (;;) {
      while (!this.#inbox.length && !this.#failure) await new Promise<void>((resolve) => (this.#arrived = resolve));
      const message = this.#inbox.shift();
      if (!message) throw this.#failure!;
      if (message.t === 'end') return;
      if (message.t === 'error') throw Object.assign(new Error(message.message), { code: message.code });
      this.#post({ t: 'more' });
      yield message.entries;
      // A port hands over every message that arrives while it delivers, the reader's work included: a
      // turn of the event loop per chunk lets timers and I/O (the desktop's IPC) in between.
      await setImmediate();
    }
  }

  /** Keeps the thread for the next scan when its walk ended; ends it otherwise. */
  release(ended: boolean): void {
    this.#letGo();
    if (ended && !this.#failure && idle.length < IDLE_KEPT) {
      this.#inbox = [];
      idle.push(this);
    } else void this.#worker.terminate();
  }

  #use(): void {
    if (this.#uses++ === 0) this.#worker.ref();
  }

  #letGo(): void {
    if (--this.#uses === 0) this.#worker.unref();
  }

  #post(message: ToScanWorker): void {
    this.#worker.postMessage(message);
  }

  #receive(message: FromScanWorker): void {
    if (message.t === 'counted' || message.t === 'count-failed') {
      const count = this.#counts.get(message.id);
      this.#counts.delete(message.id);
      if (message.t === 'counted') count?.resolve({ files: message.files, bytes: message.bytes });
      else count?.reject(new Error(`The count failed: ${message.message}`));
      return;
    }
    this.#inbox.push(message);
    this.#arrived?.();
    this.#arrived = undefined;
  }

  #stop(error: Error): void {
    this.#failure ??= error;
    const at = idle.indexOf(this);
    if (at >= 0) idle.splice(at, 1);
    for (const count of this.#counts.values()) count.reject(error);
    this.#counts.clear();
    this.#arrived?.();
    this.#arrived = undefined;
  }
}

/**
 * Counts what a scan of `root` will yield, fast, on a scan thread beside any walk: every entry once, as
 * the scan's, and the bytes of the files it will send; symlinks counted, not followed, so the figure is
 * an estimate the scan's own totals correct. Stops early, with what it has, when `signal` aborts.
 */
export async function countFolder(
  root: string,
  ignore: readonly string[],
  signal?: AbortSignal,
  only?: readonly string[],
): Promise<FolderCount> {
  // The kept thread is chosen before the stat: a walk that starts meanwhile takes that same thread.
  const kept = ScanThread.kept();
  const info = await stat(root);
  if (!info.isDirectory()) return { files: 1, bytes: info.size };
  return ScanThread.count(root, ignore, only, signal, kept);
}

/** Starts a scan thread for a scan about to begin, so its start-up overlaps the caller's own work. */
export function warmScan(): void {
  ScanThread.warm();
}

/**
 * Walks `root` depth-first as a stream, on a thread of its own (see walk.ts): yields every file and every
 * problem exactly once, in the order each folder lists them, never far ahead of the reader. A `root`
 * that is a file yields that file.
 */
export async function* scanFolder(
  root: string,
  ignore: readonly string[] = DEFAULT_IGNORE,
  options: ScanOptions = {},
): AsyncGenerator<ScanEntry> {
  const rootInfo = await stat(root);
  if (!rootInfo.isDirectory()) {
    const path = root.split(sep).pop() ?? root;
    yield { kind: 'file', path, absolutePath: root, size: rootInfo.size, mtimeMs: rootInfo.mtimeMs };
    return;
  }
  const thread = ScanThread.take();
  let ended = false;
  try {
    for await (const entries of thread.walk(root, ignore, options)) yield* entries;
    ended = true;
  } finally {
    thread.release(ended);
  }
}
