import { noCounts, type FileStatus } from '../../shared/outcome';
import { estimateSeconds, type ActiveFile, type BatchProgress, type BatchState } from '../../shared/progress';

const WINDOW_MS = 5000;
/**
 * Seconds of the measured rate that bytes handed to connections but not yet confirmed by S3 may count
 * for: kernel and proxy buffers take many MB at once, which the link has not carried yet.
 */
const IN_FLIGHT_SECONDS = 1;

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
  /** Bytes of the files that joined, ended or not: what a count of the folder is compared with. */
  #bytesJoined = 0;
  /** Bytes handed to connections in this run (buffers included). */
  #bytesDone = 0;
  /** Bytes S3 confirmed in this run (files and parts it accepted): what the speed is measured on. */
  #bytesConfirmed = 0;
  /** The confirmed bytes of each file still active, to take back if it fails or starts over. */
  readonly #confirmedOf = new Map<string, number>();
  /** The bytes a run before sent of each file still active, likewise. */
  readonly #beforeOf = new Map<string, number>();
  /** Bytes a run before this one sent: done, but not part of the speed. */
  #bytesBefore = 0;
  /** A count of the whole folder, made ahead of the scan: the totals until the scan has found it all. */
  #counted: { files: number; bytes: number } | undefined;
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
    this.#bytesJoined += size;
  }

  /** A count of the whole folder arrived: totals and the ETA stand on it until the scan completes. */
  counted(files: number, bytes: number): void {
    this.#counted = { files, bytes };
  }

  /** A file, or some of its parts, a run before this one sent: done from the start, not part of the speed. */
  doneBefore(path: string, bytes: number): void {
    this.#bytesBefore += bytes;
    this.#beforeOf.set(path, (this.#beforeOf.get(path) ?? 0) + bytes);
    const file = this.#active.get(path);
    if (file) file.bytesDone += bytes;
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

  /** S3 accepted `bytes` of `path` (the whole file, or one part): the link carried them. */
  confirmed(path: string, bytes: number): void {
    this.#bytesConfirmed += bytes;
    this.#confirmedOf.set(path, (this.#confirmedOf.get(path) ?? 0) + bytes);
  }

  /** Takes back every byte counted for `path`, for a transfer that starts over from zero. */
  resetBytes(path: string): void {
    const file = this.#active.get(path);
    if (!file) return;
    this.#takeBack(path, file.bytesDone);
    file.bytesDone = 0;
  }

  /** Takes back the `bytes` counted for `path`: those a run before sent, then those of this run, confirmed or not. */
  #takeBack(path: string, bytes: number): void {
    const before = Math.min(bytes, this.#beforeOf.get(path) ?? 0);
    this.#bytesBefore -= before;
    this.#bytesDone -= bytes - before;
    this.#bytesConfirmed -= this.#confirmedOf.get(path) ?? 0;
    this.#beforeOf.delete(path);
    this.#confirmedOf.delete(path);
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
      this.#takeBack(path, file?.bytesDone ?? 0);
    }
    this.#beforeOf.delete(path);
    this.#confirmedOf.delete(path);
  }

  /** The current snapshot. */
  snapshot(now = performance.now()): BatchProgress {
    const ended = this.#counts.uploaded + this.#counts.skipped + this.#counts.rejected + this.#counts.failed;
    this.#samples.push({ at: now, bytes: this.#bytesConfirmed, files: ended });
    while (this.#samples.length > 2 && now - this.#samples[0]!.at > WINDOW_MS) this.#samples.shift();
    const first = this.#samples[0]!;
    const elapsed = (now - first.at) / 1000;
    const rate = (value: number, from: number) => (elapsed > 0.2 ? Math.max(0, (value - from) / elapsed) : 0);
    const throughput = rate(this.#bytesConfirmed, first.bytes);
    // Until the scan has found everything, the count stands in for what it has not found yet.
    const ahead = this.scanComplete || !this.#counted ? undefined : this.#counted;
    const total = Math.max(this.#total, ahead?.files ?? 0);
    const bytesTotal = this.#bytesTotal + Math.max(0, (ahead?.bytes ?? 0) - this.#bytesJoined);
    // What S3 confirmed, and of what is on its way no more than the link carries in a second.
    const inFlight = Math.max(0, this.#bytesDone - this.#bytesConfirmed);
    const done = this.#bytesBefore + this.#bytesConfirmed + Math.min(inFlight, throughput * IN_FLIGHT_SECONDS);
    const totalsKnown = this.scanComplete || this.#counted !== undefined;
    return {
      batchId: this.#batchId,
      root: this.#root,
      state: this.state,
      files: { total, ...this.#counts, active: this.#active.size },
      bytes: { total: bytesTotal, done },
      throughput,
      filesPerSecond: rate(ended, first.files),
      etaSeconds: totalsKnown ? estimateSeconds(bytesTotal - done, throughput) : null,
      active: [...this.#active.values()].slice(0, 50).map((f) => ({ ...f })),
      scanComplete: this.scanComplete,
      totalsKnown,
      connections: this.#connections(),
    };
  }
}
