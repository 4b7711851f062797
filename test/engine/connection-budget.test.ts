import { describe, expect, it } from 'vitest';
import { errors } from '../../src/engine/errors';
import { ConnectionBudget } from '../../src/engine/transfer/connection-budget';

/**
 * A path modelled by what limits it: each connection finishes one transfer per round trip, the server
 * takes at most `serverRate` transfers/s, and the link carries at most `linkBytes` bytes/s. The budget
 * sees what a real engine shows it: completions, bytes sent, and how many slots are busy.
 */
class ModelPath {
  clock = 0;
  readonly target = { concurrency: 0, pending: 0 };
  readonly budget: ConnectionBudget;
  #owed = 0;

  constructor(
    readonly path: { rttMs: number; serverRate: number; bytesPerFile: number; linkBytes: number; waiting?: number },
    setting: ConstructorParameters<typeof ConnectionBudget>[0] = { min: 4, max: 128, initial: 16 },
  ) {
    this.budget = new ConnectionBudget(setting, this.target, () => this.clock);
  }

  /** Transfers per second at `connections`. */
  rate(connections: number): number {
    const { rttMs, serverRate, bytesPerFile, linkBytes } = this.path;
    return Math.min((connections * 1000) / rttMs, serverRate, linkBytes / bytesPerFile);
  }

  /** Runs the path for `ms`, in 5 ms steps; returns the levels seen. */
  run(ms: number): number[] {
    const levels: number[] = [];
    for (let t = 0; t < ms; t += 5) {
      this.clock += 5;
      const busy = Math.min(this.target.concurrency, this.path.waiting ?? Infinity);
      this.target.pending = busy;
      const transfers = (this.rate(busy) * 5) / 1000;
      // Bytes go as a stream; a transfer completes once its last byte went.
      this.budget.sent(Math.round(transfers * this.path.bytesPerFile));
      this.#owed += transfers;
      while (this.#owed >= 1) {
        this.#owed -= 1;
        this.budget.completed();
      }
      levels.push(this.budget.current);
    }
    return levels;
  }
}

const mostOften = (levels: number[]): number => {
  const counts = new Map<number, number>();
  for (const level of levels) counts.set(level, (counts.get(level) ?? 0) + 1);
  return [...counts].reduce((a, b) => (b[1] > a[1] ? b : a))[0];
};

describe('the connection budget', () => {
  it('climbs on a long round trip until the server is the limit, then settles near the knee', () => {
    // 40 ms and a server good for 450 small PUTs/s: 18 connections saturate it.
    const path = new ModelPath({ rttMs: 40, serverRate: 450, bytesPerFile: 4096, linkBytes: 12.5e6 });
    const firstSeconds = path.run(3000);
    expect(Math.max(...firstSeconds)).toBeGreaterThanOrEqual(32);
    const settled = path.run(20_000);
    const level = mostOften(settled);
    expect(level).toBeGreaterThanOrEqual(18);
    expect(level).toBeLessThanOrEqual(40);
    // Probes above it are short: most of the time goes at the level that paid.
    expect(settled.filter((l) => l === level).length / settled.length).toBeGreaterThan(0.6);
    expect(path.rate(level)).toBe(450);
  });

  it('first climbs about once a round trip: from 16 to 128 in well under a second on 40 ms', () => {
    const path = new ModelPath({ rttMs: 40, serverRate: 5000, bytesPerFile: 4096, linkBytes: 100e6 });
    const levels = path.run(1000);
    expect(levels.findIndex((level) => level === 128) * 5).toBeLessThan(800);
  });

  it('on 120 ms and a faster server, goes higher', () => {
    const path = new ModelPath({ rttMs: 120, serverRate: 900, bytesPerFile: 4096, linkBytes: 2.5e6 });
    path.run(6000);
    const level = mostOften(path.run(20_000));
    expect(level).toBeGreaterThanOrEqual(100);
  });

  it('starts its climb higher on a path whose round trip was measured long, and reaches 128 sooner', () => {
    const model = { rttMs: 120, serverRate: 5000, bytesPerFile: 4096, linkBytes: 100e6 };
    const reach128 = (levels: number[]) => levels.findIndex((level) => level === 128) * 5;
    const unseeded = new ModelPath(model);
    const seeded = new ModelPath(model);
    seeded.budget.roundTrip(130, 4096);
    expect(seeded.budget.current).toBe(64);
    expect(reach128(seeded.run(3000))).toBeLessThan(reach128(unseeded.run(3000)) - 200);
  });

  it('keeps the default start below a 60 ms round trip or for large transfers, never starts lower, and ignores a round trip once it moved', () => {
    const levelAfter = (ms: number, setting?: ConstructorParameters<typeof ConnectionBudget>[0]) => {
      const path = new ModelPath({ rttMs: ms, serverRate: 5000, bytesPerFile: 4096, linkBytes: 100e6 }, setting);
      path.budget.roundTrip(ms, 4096);
      return path.budget.current;
    };
    expect([1, 45, 59, 60, 119, 240, 1000].map((ms) => levelAfter(ms))).toEqual([16, 16, 16, 32, 32, 128, 128]);
    expect(levelAfter(250, { min: 4, max: 48, initial: 16 })).toBe(48);
    expect(levelAfter(250, { pinned: 8 })).toBe(8);
    // Large transfers fill a link with few connections: more would only share it, each one slower.
    const large = new ModelPath({ rttMs: 120, serverRate: 5000, bytesPerFile: 1024 * 1024, linkBytes: 2.5e6 });
    large.budget.roundTrip(130, 1024 * 1024);
    expect(large.budget.current).toBe(16);
    const climbed = new ModelPath({ rttMs: 40, serverRate: 5000, bytesPerFile: 4096, linkBytes: 100e6 });
    climbed.run(300);
    const level = climbed.budget.current;
    expect(level).toBeGreaterThan(16);
    climbed.budget.roundTrip(500, 4096);
    expect(climbed.budget.current).toBe(level);
  });

  it('does not climb where bandwidth is the limit: more connections would only share the same link', () => {
    // 5 MiB files on 12.5 MB/s: two connections already fill it.
    const path = new ModelPath({ rttMs: 40, serverRate: 450, bytesPerFile: 5 * 1024 * 1024, linkBytes: 12.5e6 });
    path.run(30_000);
    expect(mostOften(path.run(30_000))).toBe(16);
  });

  it('does not grow while fewer transfers wait than it has connections', () => {
    const path = new ModelPath({ rttMs: 40, serverRate: 450, bytesPerFile: 4096, linkBytes: 12.5e6, waiting: 12 });
    expect(Math.max(...path.run(10_000))).toBe(16);
  });

  it('backs off to 70% on 503s, once per burst, never below its minimum, then climbs again', () => {
    const path = new ModelPath({ rttMs: 40, serverRate: 2000, bytesPerFile: 4096, linkBytes: 12.5e6 });
    path.run(4000);
    const before = path.budget.current;
    expect(before).toBeGreaterThanOrEqual(64);
    for (let i = 0; i < 20; i++) path.budget.failed(errors.s3(503, 'SlowDown', 'S3 answered 503 SlowDown', 'retry'));
    expect(path.budget.current).toBe(Math.floor(before * 0.7));
    for (let round = 0; round < 10; round++) {
      path.clock += 1500;
      path.budget.failed(errors.stalled(30_000));
    }
    expect(path.budget.current).toBe(4);
    // A refusal that says nothing about load moves nothing.
    path.clock += 1500;
    path.budget.failed(errors.s3(403, 'AccessDenied', 'S3 refused the upload: 403 AccessDenied', 'fatal'));
    expect(path.budget.current).toBe(4);
    path.run(15_000);
    expect(path.budget.current).toBeGreaterThan(16);
  });

  it('pinned, it never moves', () => {
    const path = new ModelPath({ rttMs: 120, serverRate: 2000, bytesPerFile: 4096, linkBytes: 12.5e6 }, { pinned: 8 });
    path.budget.failed(errors.network('ECONNRESET'));
    expect(new Set(path.run(10_000))).toEqual(new Set([8]));
    expect(path.budget.ceiling).toBe(8);
    expect(path.budget.automatic).toBe(false);
  });

  it('stays inside its range', () => {
    const path = new ModelPath(
      { rttMs: 120, serverRate: 5000, bytesPerFile: 4096, linkBytes: 100e6 },
      { min: 2, max: 24, initial: 8 },
    );
    const levels = path.run(20_000);
    expect(Math.max(...levels)).toBe(24);
    expect(path.target.concurrency).toBe(path.budget.current);
  });
});
