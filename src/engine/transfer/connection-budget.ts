import type { UploadError } from '../errors';

/** How many connections the engine uses: a pinned number, or one it finds between `min` and `max`. */
export type BudgetSetting = { pinned: number } | { min: number; max: number; initial: number };

/** What the budget drives: the queue every transfer takes its connection from (a PQueue). */
export interface BudgetTarget {
  concurrency: number;
  /** Tasks running now. */
  readonly pending: number;
}

/** A window closes after this long, once each connection finished a transfer in it... */
const WINDOW_MS = 500;
/**
 * ...or this long while the budget first climbs (a slow start, as TCP's: it doubles about once a round
 * trip). At 500 ms a window, the climb from 16 to 128 took two seconds of a three-second transfer.
 */
const CLIMB_WINDOW_MS = 150;
/** ...or after this long whatever finished (large parts finish seldom; their bytes still count). */
const LONG_WINDOW_MS = 2000;
/** A step up is kept when files/s or bytes/s rose by at least this factor. */
const GAIN = 1.1;
/** Completions a window needs before its files/s says anything (a few large files are mostly noise). */
const MIN_FILES = 16;
/** Connections kept on a sign of congestion. */
const CUT = 0.7;
/** Windows to stay at a level after settling or backing off, before probing one step up again. */
const HOLD_WINDOWS = 8;
/** Congestion signals this soon after a cut are the same congestion: one cut for a burst of errors. */
const QUIET_MS = 1000;
/**
 * The round trip the default start suits; a climb starts at twice the level for each doubling past it.
 * From 16 on 120 ms, the climb kept the link half used for its first second (each step waits for new
 * connections' handshakes, then a round trip each); a path's bandwidth-delay product grows with its round trip.
 */
const START_ROUND_TRIP_MS = 30;
/**
 * Transfers this small are held by round trips, not bytes; larger ones start at the default. On 120 ms /
 * 20 Mbit/s, 64 connections of 1 MiB files each waited ~27 s behind the others' bytes, and some outlived
 * the stall watch's 30 s (6 MB sent twice; 88.3 s against 86.4 s from 16).
 */
const START_TRANSFER_BYTES = 256 * 1024;

/** Errors that say the path or the server is overloaded: fewer connections, not more, will help. */
const CONGESTION = new Set([
  'SlowDown',
  'ServiceUnavailable',
  'TooManyRequests',
  'RequestTimeout',
  'http-503',
  'http-429',
  'stalled',
  'network',
]);

/** True when `error` is a sign of congestion: 503/SlowDown, 429, a stall, a reset or timed-out connection. */
export const isCongestion = (error: UploadError): boolean => CONGESTION.has(error.code);

interface Rate {
  files: number;
  bytes: number;
  /** True when enough transfers finished for `files` to mean something. */
  countable: boolean;
}

/**
 * The engine's one budget of connections, shared by files and parts. Pinned, it never moves. Automatic,
 * it climbs (doubling about once a round trip at first, then by a quarter every few windows) while each
 * step raises goodput (files/s or bytes/s) by 10%,
 * returns to the last level that paid and holds there, probing one step up again every few windows; on
 * 503/SlowDown, 429, stalls and resets it cuts to 70% and holds. It only learns from windows in which
 * every connection was busy: with fewer files waiting than connections, more would change nothing.
 */
export class ConnectionBudget {
  readonly #setting: BudgetSetting;
  readonly #target: BudgetTarget;
  readonly #now: () => number;
  #current: number;
  #window = { start: 0, files: 0, bytes: 0, events: 0, busy: 0 };
  #baseline: (Rate & { level: number }) | undefined;
  #hold = 0;
  #climbing = true;
  #lastCut = Number.NEGATIVE_INFINITY;

  constructor(setting: BudgetSetting, target: BudgetTarget, now: () => number = () => performance.now()) {
    this.#setting = setting;
    this.#target = target;
    this.#now = now;
    this.#current = 'pinned' in setting ? setting.pinned : setting.initial;
    target.concurrency = this.#current;
    this.#newWindow();
  }

  /** Connections allowed now. */
  get current(): number {
    return this.#current;
  }

  /** The most connections the budget can ever allow: what agents are sized to. */
  get ceiling(): number {
    return 'pinned' in this.#setting ? this.#setting.pinned : this.#setting.max;
  }

  /** True when the budget finds its own level. */
  get automatic(): boolean {
    return !('pinned' in this.#setting);
  }

  /**
   * A request's round trip to the far end, measured before the first transfer, and the transfers' mean
   * size: for small transfers on a path of 60 ms or more the climb starts higher (32 from 60 ms, 64 from
   * 120 ms), never lower. Ignored once the budget moved.
   */
  roundTrip(ms: number, transferBytes: number): void {
    const setting = this.#setting;
    if (!('min' in setting) || !this.#climbing || this.#baseline || this.#current !== setting.initial) return;
    if (transferBytes > START_TRANSFER_BYTES) return;
    const doublings = Math.floor(Math.log2(ms / START_ROUND_TRIP_MS));
    if (doublings > 0) this.#set(this.#current * 2 ** doublings);
  }

  /** `bytes` were handed to a connection. */
  sent(bytes: number): void {
    this.#window.bytes += bytes;
    this.#observe();
  }

  /** A transfer (a file or a part) was accepted by S3. */
  completed(): void {
    this.#window.files += 1;
    this.#observe();
  }

  /** A transfer failed with `error`; a sign of congestion cuts the budget. */
  failed(error: UploadError): void {
    if (!('min' in this.#setting) || !isCongestion(error)) return;
    const now = this.#now();
    if (now - this.#lastCut < QUIET_MS) return;
    this.#lastCut = now;
    this.#climbing = false;
    this.#baseline = undefined;
    this.#hold = HOLD_WINDOWS;
    this.#set(Math.floor(this.#current * CUT));
    this.#newWindow();
  }

  #observe(): void {
    const setting = this.#setting;
    if (!('min' in setting)) return;
    const window = this.#window;
    window.events += 1;
    if (this.#target.pending >= this.#current) window.busy += 1;
    const elapsed = this.#now() - window.start;
    const least = this.#climbing ? CLIMB_WINDOW_MS : WINDOW_MS;
    if (elapsed < least || (window.files < this.#current && elapsed < LONG_WINDOW_MS)) return;
    const rate = {
      files: (window.files * 1000) / elapsed,
      bytes: (window.bytes * 1000) / elapsed,
      countable: window.files >= MIN_FILES,
    };
    const saturated = window.busy * 2 >= window.events;
    this.#newWindow();
    if (this.#hold > 0) {
      this.#hold -= 1;
      if (this.#hold === 0 && saturated) this.#stepUp(rate);
      return;
    }
    if (!saturated) return;
    const base = this.#baseline;
    const moreFiles = rate.countable && base?.countable && rate.files > base.files * GAIN;
    if (!base || moreFiles || rate.bytes > base.bytes * GAIN) {
      this.#stepUp(rate);
      return;
    }
    // The last step did not pay: back to the level that did, and stay a while.
    this.#climbing = false;
    this.#hold = HOLD_WINDOWS;
    this.#set(base.level);
  }

  /** Records `rate` as what the current level gives, then tries one step more. */
  #stepUp(rate: Rate): void {
    this.#baseline = { level: this.#current, ...rate };
    const step = this.#climbing ? this.#current : Math.ceil(this.#current / 4);
    this.#set(this.#current + step);
  }

  #set(level: number): void {
    const { min, max } = this.#setting as { min: number; max: number };
    this.#current = Math.max(min, Math.min(max, level));
    this.#target.concurrency = this.#current;
  }

  #newWindow(): void {
    this.#window = { start: this.#now(), files: 0, bytes: 0, events: 0, busy: 0 };
  }
}
