import { Worker } from 'node:worker_threads';
import { assertSameAsScanned, errors, readFailure } from '../errors';
import { md5Of, type Md5 } from './file-hash';
import type { FromWorker, ToWorker, WorkerError } from './hash-messages';
import { workerStart } from '../worker-location';

/** The MD5 of part `n` (1-based) of a file. */
export interface PartDigest {
  n: number;
  md5: Md5;
}

/** What the worker needs to hash a file it reads itself. */
export interface HashTarget {
  absolutePath: string;
  size: number;
  mtimeMs: number;
}

/** A file's part MD5s as they arrive, in part order, then the whole file's MD5. */
export interface PartDigests {
  /** The next part's MD5, or undefined after the last; rejects with the reason hashing stopped. */
  next(): Promise<PartDigest | undefined>;
  /** Parts already hashed and not yet taken, at most `max`, without waiting. */
  takeReady(max: number): PartDigest[];
  /** The whole file's MD5, once every part is hashed. */
  readonly whole: Promise<Md5>;
  /** Stops hashing this file; parts not taken are dropped. */
  stop(): void;
}

/** A small file read whole and hashed, with its identity when it was read (for the hash cache), or why it could not be. */
export type SmallRead = { md5: Md5; bytes: Buffer; identity: string } | { error: unknown };

/** What a thread owes an answer to: a hash job, or a list of small files to read. */
interface Pending {
  /** Bytes this adds to the thread's backlog. */
  readonly backlog: number;
  /** Handles one message about it; true once it has ended. */
  receive(message: FromWorker): boolean;
  fail(error: unknown): void;
}

const workerFailure = (error: WorkerError): unknown =>
  error.code === 'ESHORTREAD' ? errors.shrank(error.read!, error.expected!) : readFailure(error);

/** Small files read whole on a thread; read at once, so they add nothing to its backlog. */
class SmallFiles implements Pending {
  readonly backlog = 0;
  readonly result: Promise<SmallRead[]>;
  #settle!: { resolve(reads: SmallRead[]): void; reject(error: unknown): void };

  constructor(readonly targets: readonly HashTarget[]) {
    this.result = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
  }

  receive(message: FromWorker): boolean {
    if (!('small' in message)) return false;
    let offset = 0;
    this.#settle.resolve(
      message.small.map((result, i): SmallRead => {
        const target = this.targets[i]!;
        const at = offset;
        offset += target.size;
        if ('error' in result) return { error: workerFailure(result.error) };
        try {
          assertSameAsScanned(target, result.stat);
        } catch (error) {
          return { error };
        }
        return {
          md5: md5Of(result.digest!),
          bytes: Buffer.from(message.bytes, at, target.size),
          identity: result.identity!,
        };
      }),
    );
    return true;
  }

  fail(error: unknown): void {
    this.#settle.reject(error);
  }
}

class Job implements PartDigests, Pending {
  readonly whole: Promise<Md5>;
  readonly backlog: number;
  readonly #ready: PartDigest[] = [];
  #waiting: { resolve(part: PartDigest | undefined): void; reject(error: unknown): void } | undefined;
  #ended = false;
  #error: unknown;
  #settleWhole!: { resolve(md5: Md5): void; reject(error: unknown): void };

  constructor(
    readonly target: HashTarget,
    readonly onStop: () => void,
  ) {
    this.backlog = target.size;
    this.whole = new Promise<Md5>((resolve, reject) => (this.#settleWhole = { resolve, reject }));
    this.whole.catch(() => undefined);
  }

  /** Handles one message about this job; true once the job has ended. */
  receive(message: FromWorker): boolean {
    if ('stat' in message) {
      try {
        assertSameAsScanned(this.target, message.stat);
      } catch (error) {
        this.fail(error);
        this.onStop();
        return true;
      }
      return false;
    }
    if ('n' in message) {
      const part = { n: message.n, md5: md5Of(message.digest) };
      if (this.#waiting) this.#waiting.resolve(part);
      else this.#ready.push(part);
      this.#waiting = undefined;
      return false;
    }
    if ('end' in message) {
      this.#ended = true;
      this.#settleWhole.resolve(md5Of(message.whole));
      this.#waiting?.resolve(undefined);
      this.#waiting = undefined;
      return true;
    }
    if ('error' in message) this.fail(workerFailure(message.error));
    return true;
  }

  fail(error: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#settleWhole.reject(error);
    this.#waiting?.reject(error);
    this.#waiting = undefined;
  }

  next(): Promise<PartDigest | undefined> {
    const part = this.#ready.shift();
    if (part) return Promise.resolve(part);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(undefined);
    return new Promise((resolve, reject) => (this.#waiting = { resolve, reject }));
  }

  takeReady(max: number): PartDigest[] {
    return this.#ready.splice(0, max);
  }

  stop(): void {
    if (this.#ended) return;
    this.fail(errors.cancelled());
    this.onStop();
  }
}

/** A hash thread started before any pool needed one (`startHashThread`), for the first pool that does. */
let spare: Worker | undefined;

/** A new hash thread. It allocates little (one read buffer, a hash per part): small heaps keep its memory small. */
function newHashWorker(): Worker {
  const start = workerStart('hash');
  return new Worker(start.eval ? start.source : start.file, {
    eval: start.eval,
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: 32 },
  });
}

/**
 * Starts a hash thread now, before any pool exists, so its start-up overlaps whatever the process loads
 * next; the first pool to need a thread takes it. Until then it keeps nothing alive.
 */
export function startHashThread(): void {
  if (spare) return;
  const worker = newHashWorker();
  worker.unref();
  worker.once('error', () => {
    if (spare === worker) spare = undefined;
  });
  spare = worker;
}

/** The thread started ahead, if any, else a new one. */
function takeHashWorker(): Worker {
  const worker = spare ?? newHashWorker();
  spare = undefined;
  return worker;
}

/** One worker thread and the jobs it has been given. */
interface Thread {
  worker: Worker;
  jobs: Map<number, Pending>;
  /** Ends the thread once it has had no job for a while. */
  idle?: NodeJS.Timeout;
}

/**
 * A few worker threads that hash files for the engine, so the main thread is left to move bytes. Each
 * thread runs its jobs one after another; a new thread starts only when every live one has a backlog.
 * Threads do not keep the process alive when idle, and end after `idleMs` without a job, giving their
 * memory back to a long-running app.
 */
export class HashPool {
  readonly #threads: (Thread | undefined)[];
  readonly #idleMs: number;
  #nextId = 1;

  constructor(size = 2, options: { idleMs?: number } = {}) {
    if (!Number.isInteger(size) || size < 1)
      throw new TypeError(`Expected \`size\` to be a whole number from 1 and up, got \`${size}\``);
    this.#threads = Array.from({ length: size }, () => undefined);
    this.#idleMs = options.idleMs ?? 5000;
  }

  /** How many threads are alive now. */
  get threads(): number {
    return this.#threads.filter(Boolean).length;
  }

  /**
   * Hashes `target` in parts of `partSize` bytes, posting each part's MD5 in order; `whole` is the whole
   * file's MD5, from the same pass.
   */
  hashParts(target: HashTarget, partSize: number): PartDigests {
    const id = this.#nextId++;
    const thread = this.#leastBusy();
    const job = new Job(target, () => {
      this.#forget(thread, id);
      thread.worker.postMessage({ stop: id } satisfies ToWorker);
    });
    this.#send(thread, job, { id, path: target.absolutePath, size: target.size, partSize });
    return job;
  }

  /** Starts a thread now, so the first file need not wait for one; unused, it ends when idle. */
  warm(): void {
    if (!this.threads) this.#idleSoon(this.#start(0));
  }

  /** The MD5 of a whole file, read once. */
  hashFile(target: HashTarget): Promise<Md5> {
    return this.hashParts(target, Math.max(1, target.size)).whole;
  }

  /**
   * Reads small files whole and hashes them, in one message each way: on this machine a thread's
   * blocking reads cost a third of the CPU of async reads on the main thread. One answer per file, in
   * order; the bytes are exactly those hashed, checked against the scan by fstat.
   */
  readSmall(targets: readonly HashTarget[]): Promise<SmallRead[]> {
    const id = this.#nextId++;
    const thread = this.#leastBusy();
    const read = new SmallFiles(targets);
    this.#send(thread, read, { id, small: targets.map((t) => ({ path: t.absolutePath, size: t.size })) });
    return read.result;
  }

  /** Stops every thread; jobs still running fail. */
  async close(): Promise<void> {
    const threads = this.#threads.splice(0, this.#threads.length, ...this.#threads.map(() => undefined));
    await Promise.all(
      threads.map(async (thread) => {
        if (!thread) return;
        clearTimeout(thread.idle);
        failAll(thread, errors.cancelled());
        await thread.worker.terminate();
      }),
    );
  }

  /**
   * The live thread with the fewest bytes in its jobs, unless even it has a backlog and a slot is
   * free: then a new thread. Small files share one thread (each thread costs ~80 ms of CPU to start and
   * ~15 MB to keep); two large files hashed at once get one each.
   */
  #leastBusy(): Thread {
    let best: Thread | undefined;
    let free = -1;
    for (let i = 0; i < this.#threads.length; i++) {
      const thread = this.#threads[i];
      if (!thread) free = free < 0 ? i : free;
      else if (!best || backlog(thread) < backlog(best)) best = thread;
    }
    return best && (backlog(best) < SPREAD_BYTES || free < 0) ? best : this.#start(free);
  }

  /** Hands `job` to `thread` as `message`; the thread keeps the process alive until it answers. */
  #send(thread: Thread, job: Pending, message: ToWorker & { id: number }): void {
    thread.jobs.set(message.id, job);
    clearTimeout(thread.idle);
    thread.worker.ref();
    thread.worker.postMessage(message);
  }

  #start(slot: number): Thread {
    const worker = takeHashWorker();
    const thread: Thread = { worker, jobs: new Map() };
    thread.worker.on('message', (message: FromWorker) => {
      if (thread.jobs.get(message.id)?.receive(message)) this.#forget(thread, message.id);
    });
    thread.worker.on('error', (error) => {
      if (this.#threads[slot] === thread) this.#threads[slot] = undefined;
      failAll(thread, errors.hashFailed(error.message));
    });
    this.#threads[slot] = thread;
    return thread;
  }

  #forget(thread: Thread, id: number): void {
    thread.jobs.delete(id);
    if (thread.jobs.size) return;
    this.#idleSoon(thread);
  }

  #idleSoon(thread: Thread): void {
    thread.worker.unref();
    thread.idle = setTimeout(() => {
      const slot = this.#threads.indexOf(thread);
      if (thread.jobs.size || slot < 0) return;
      this.#threads[slot] = undefined;
      void thread.worker.terminate();
    }, this.#idleMs);
    thread.idle.unref();
  }
}

/** A thread whose jobs add up to this much (about 130 ms of hashing here) has a backlog. */
const SPREAD_BYTES = 64 * 1024 * 1024;

function backlog(thread: Thread): number {
  let bytes = 0;
  for (const job of thread.jobs.values()) bytes += job.backlog;
  return bytes;
}

function failAll(thread: Thread, error: unknown): void {
  for (const job of thread.jobs.values()) job.fail(error);
  thread.jobs.clear();
}
