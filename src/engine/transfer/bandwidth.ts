import { setTimeout as sleep } from 'node:timers/promises';

/** A token bucket shared by every transfer, so a limit holds for the whole engine, not per file. */
export class BandwidthLimiter {
  readonly #bytesPerSecond: number;
  #available: number;
  #last = performance.now();
  #queue: Promise<void> = Promise.resolve();

  constructor(bytesPerSecond: number) {
    if (!Number.isFinite(bytesPerSecond) || bytesPerSecond < 1024) {
      throw new TypeError(`Expected \`bandwidth\` to be at least 1024 bytes per second, got \`${bytesPerSecond}\``);
    }
    this.#bytesPerSecond = bytesPerSecond;
    this.#available = bytesPerSecond / 10;
  }

  /**
   * Resolves once `bytes` may be sent; callers are served in order. If `signal` aborts first, rejects at
   * once with its reason, and those bytes are never counted against the limit.
   */
  take(bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(async () => {
      for (;;) {
        if (signal?.aborted) return;
        const now = performance.now();
        this.#available = Math.min(
          this.#bytesPerSecond / 10,
          this.#available + ((now - this.#last) / 1000) * this.#bytesPerSecond,
        );
        this.#last = now;
        if (this.#available >= Math.min(bytes, this.#bytesPerSecond / 10)) {
          this.#available -= bytes;
          return;
        }
        await sleep(
          Math.max(1, ((Math.min(bytes, this.#bytesPerSecond / 10) - this.#available) / this.#bytesPerSecond) * 1000),
        );
      }
    });
    this.#queue = turn;
    if (!signal) return turn;
    return new Promise((resolve, reject) => {
      const abort = (): void => reject(signal.reason);
      if (signal.aborted) return abort();
      signal.addEventListener('abort', abort, { once: true });
      void turn.then(() => {
        signal.removeEventListener('abort', abort);
        resolve();
      });
    });
  }
}
