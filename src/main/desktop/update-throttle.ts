/** Calls `emit` at most once per `intervalMs` while anything changed, and stops its timer when nothing does. */
export class UpdateThrottle {
  readonly #emit: () => void;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(emit: () => void, intervalMs: number) {
    this.#emit = emit;
    this.#intervalMs = intervalMs;
  }

  /** Marks a change: the next tick emits. */
  touch(): void {
    this.#dirty = true;
    this.#timer ??= setInterval(() => {
      if (!this.#dirty) {
        this.close();
        return;
      }
      this.#dirty = false;
      this.#emit();
    }, this.#intervalMs);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
