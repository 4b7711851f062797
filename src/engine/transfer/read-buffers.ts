/** Bytes read from disk per step of a streamed range: the size of the largest read buffer. */
export const READ_BYTES = 1024 * 1024;

/** The smallest read buffer: files up to 64 KiB are sent from the bytes they were hashed from. */
const SMALLEST = 64 * 1024;

/** The size of buffer a range of `length` bytes reads through: a power of two from 64 KiB to READ_BYTES. */
export function bufferSizeFor(length: number): number {
  let size = SMALLEST;
  while (size < length && size < READ_BYTES) size *= 2;
  return size;
}

/**
 * The read buffers of streamed ranges, each kept for the next range of its size once its bytes have all
 * gone. A new 1 MiB buffer per file costs the kernel's page faults to map it and V8's collections to let it
 * go: on 1 MiB files, 3-4 ms of CPU a file here against 0.3 ms reused. A range takes at most twice its own
 * size, or 64 KiB. At most `keepBytes` wait idle, and all are let go once none has been taken for `idleMs`,
 * so a desktop left open holds none.
 */
export class ReadBuffers {
  readonly #idle = new Map<number, Buffer[]>();
  readonly #keepBytes: number;
  readonly #idleMs: number;
  #idleBytes = 0;
  #release: NodeJS.Timeout | undefined;

  constructor({ keepBytes = 32 * READ_BYTES, idleMs = 10_000 }: { keepBytes?: number; idleMs?: number } = {}) {
    if (!Number.isInteger(keepBytes) || keepBytes < 0)
      throw new TypeError(`Expected \`keepBytes\` to be a whole number from 0 and up, got \`${keepBytes}\``);
    if (!Number.isFinite(idleMs) || idleMs < 1)
      throw new TypeError(`Expected \`idleMs\` to be a number from 1 and up, got \`${idleMs}\``);
    this.#keepBytes = keepBytes;
    this.#idleMs = idleMs;
  }

  /** A buffer to read a range of `length` bytes through (`bufferSizeFor(length)` long), an idle one when there is one. */
  take(length: number): Buffer {
    clearTimeout(this.#release);
    this.#release = undefined;
    const size = bufferSizeFor(length);
    const buffer = this.#idle.get(size)?.pop();
    if (!buffer) return Buffer.allocUnsafeSlow(size);
    this.#idleBytes -= size;
    return buffer;
  }

  /** Takes back a buffer from `take` that nothing reads into or writes from any more; past `keepBytes` idle it is dropped. */
  give(buffer: Buffer): void {
    const size = buffer.length;
    if (size !== bufferSizeFor(size) || this.#idleBytes + size > this.#keepBytes) return;
    const idle = this.#idle.get(size) ?? [];
    idle.push(buffer);
    this.#idle.set(size, idle);
    this.#idleBytes += size;
    this.#release ??= setTimeout(() => this.clear(), this.#idleMs).unref();
  }

  /** Bytes of buffers waiting idle. */
  get idleBytes(): number {
    return this.#idleBytes;
  }

  /** Lets every idle buffer go. */
  clear(): void {
    clearTimeout(this.#release);
    this.#release = undefined;
    this.#idle.clear();
    this.#idleBytes = 0;
  }
}
