/** Bytes read from disk per step of a streamed range: the size of each read buffer. */
export const READ_BYTES = 1024 * 1024;

/**
 * The read buffers of streamed ranges, each kept for the next range once its bytes have all gone. A new
 * 1 MiB buffer per file costs the kernel's page faults to map it and V8's collections to let it go: on
 * 1 MiB files, 3-4 ms of CPU a file here against 0.3 ms reused. At most `keep` buffers wait idle, and
 * all are let go once none has been taken for `idleMs`, so a desktop left open holds none.
 */
export class ReadBuffers {
  readonly #idle: Buffer[] = [];
  readonly #keep: number;
  readonly #idleMs: number;
  #release: NodeJS.Timeout | undefined;

  constructor({ keep = 32, idleMs = 10_000 }: { keep?: number; idleMs?: number } = {}) {
    if (!Number.isInteger(keep) || keep < 0)
      throw new TypeError(`Expected \`keep\` to be a whole number from 0 and up, got \`${keep}\``);
    this.#keep = keep;
    this.#idleMs = idleMs;
  }

  /** A buffer of READ_BYTES bytes, an idle one when there is one; its contents are whatever it last held. */
  take(): Buffer {
    clearTimeout(this.#release);
    this.#release = undefined;
    return this.#idle.pop() ?? Buffer.allocUnsafeSlow(READ_BYTES);
  }

  /** Takes back a buffer nothing reads into or writes from any more; beyond `keep` idle ones it is dropped. */
  give(buffer: Buffer): void {
    if (buffer.length !== READ_BYTES || this.#idle.length >= this.#keep) return;
    this.#idle.push(buffer);
    this.#release ??= setTimeout(() => this.clear(), this.#idleMs).unref();
  }

  /** How many buffers wait idle. */
  get idle(): number {
    return this.#idle.length;
  }

  /** Lets every idle buffer go. */
  clear(): void {
    clearTimeout(this.#release);
    this.#release = undefined;
    this.#idle.length = 0;
  }
}
