import { noCounts, type FileStatus } from '../../shared/outcome';
import { estimateSeconds, type ActiveFile, type BatchProgress, type BatchState } from '../../shared/progress';

const WINDOW_MS = 5000;

/**
 * Counts a batch's files and bytes in O(1) per event and builds snapshots from the counters and the
 * active files only, so a snapshot costs the same at 10 files or 100,000.
 */
export class ProgressTracker {
  readonly #batchId: string;
  readonly #root: string;
  state: BatchState = 'scanning';
  scanComplete = false;
  #total = 0;
  #bytesTotal = 0;
  #bytesDone = 0;
  readonly #counts: Record<FileStatus, number> = noCounts();
  readonly #active = new Map<string, ActiveFile>();
  #samples: { at: number; bytes: number; files: number }[] = [];

  /** `connections` tells how many connections the engine allows now, for each snapshot. */
  readonly #connections: () => number;
  constructor(batchId: string, root: string, connections: () => number = () => 0) {
    this.#batchId = batchId;
    this.#root = root;
    this.#connections = connections;
  }

  /** A file joined the batch. */
  addFile(size: number): void {
    this.#total += 1;
    this.#bytesTotal += size;
  }

  /** A file's transfer started (or restarted after a pause). */
  start(path: string, size: number): void {
    if (!this.#active.has(path)) this.#active.set(path, { path, size, bytesDone: 0, paused: false });
  }

  /** Bytes moved for `path`; negative when an attempt failed and its bytes will be sent again. */
  bytes(path: string, delta: number): void {
    this.#bytesDone += delta;
    const file = this.#active.get(path);
    if (file) file.bytesDone += delta;
  }

  /** Takes back every byte counted for `path`, for a transfer that starts over from zero. */
  resetBytes(path: string): void {
    const file = this.#active.get(path);
    if (!file) return;
    this.#bytesDone -= file.bytesDone;
    file.bytesDone = 0;
  }

  /** Marks a file as paused or running in the active list. */
  setPaused(path: string, paused: boolean): void {
    const file = this.#active.get(path);
    if (file) file.paused = paused;
  }

  /** A file ended; bytes not sent (skipped, failed) leave the total so the ETA stays honest. */
  finish(path: string, status: FileStatus, size: number): void {
    const file = this.#active.get(path);
    this.#active.delete(path);
    this.#counts[status] += 1;
    if (status !== 'uploaded') {
      this.#bytesTotal -= size;
      this.#bytesDone -= file?.bytesDone ?? 0;
    }
  }

  /** The current snapshot. */
  snapshot(now = performance.now()): BatchProgress {
    const ended = this.#counts.uploaded + this.#counts.skipped + this.#counts.rejected + this.#counts.failed;
    this.#samples.push({ at: now, bytes: this.#bytesDone, files: ended });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = (now - first.at) / 1000;
    const rate = (value: number, from: number) => (elapsed > 0.2 ? Math.max(0, (value - from) / elapsed) : 0);
    const throughput = rate(this.#bytesDone, first.bytes);
    const files = { total: this.#total, ...this.#counts, active: this.#active.size };
    return {
      batchId: this.#batchId,
      root: this.#root,
      state: this.state,
      files,
      bytes: { total: this.#bytesTotal, done: this.#bytesDone },
      throughput,
      filesPerSecond: rate(ended, first.files),
      etaSeconds: this.scanComplete ? estimateSeconds(this.#bytesTotal - this.#bytesDone, throughput) : null,
      active: [...this.#active.values()].slice(0, 50).map((f) => ({ ...f })),
      scanComplete: this.scanComplete,
      connections: this.#connections(),
    };
  }
}
