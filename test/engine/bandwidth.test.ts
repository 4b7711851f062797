import { describe, expect, it } from 'vitest';
import { BandwidthLimiter } from '../../src/engine/transfer/bandwidth';

const KiB = 1024;
const since = (start: number): number => performance.now() - start;

describe('BandwidthLimiter', () => {
  it('holds the rate across callers, serving them in order', async () => {
    const limiter = new BandwidthLimiter(100 * KiB);
    const start = performance.now();
    const order: number[] = [];
    await Promise.all([1, 2, 3].map((n) => limiter.take(100 * KiB).then(() => order.push(n))));
    // The first 100 KiB goes at once (the bucket lets a tenth of a second through); the next two wait ~1 s each.
    expect(since(start)).toBeGreaterThanOrEqual(1800);
    expect(order).toEqual([1, 2, 3]);
  });

  it('gives up at once when its signal aborts, and does not count the bytes it never sent', async () => {
    const limiter = new BandwidthLimiter(64 * KiB);
    await limiter.take(64 * KiB);
    const controller = new AbortController();
    const start = performance.now();
    const big = limiter.take(1024 * KiB, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled')), 50);
    await expect(big).rejects.toThrow('cancelled');
    expect(since(start)).toBeLessThan(500);
    // 1 MiB counted would hold the next caller for 16 s; the first 64 KiB's debt holds it for under 1 s.
    await limiter.take(KiB);
    expect(since(start)).toBeLessThan(2000);
  });

  it('names a rate it cannot hold', () => {
    expect(() => new BandwidthLimiter(10)).toThrow(
      'Expected `bandwidth` to be at least 1024 bytes per second, got `10`',
    );
  });
});
