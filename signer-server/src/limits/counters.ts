import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { SignerConfig } from '../config';

/** Makes the fixed-window counters limits and quotas use: shared in Redis, or this replica's memory. */
export interface CounterFactory {
  /** A counter of `points` per `seconds`, its keys under `name`. */
  counter(name: string, points: number, seconds: number): RateLimiterAbstract;
}

/** Counters in this process only: each replica counts alone. */
export function memoryCounters(): CounterFactory {
  return { counter: (name, points, seconds) => new RateLimiterMemory({ keyPrefix: name, points, duration: seconds }) };
}

/**
 * Counters in Redis, shared by every replica. While Redis is unreachable, a `per-replica` setting counts in
 * memory instead; `refuse` makes each count fail, which the callers answer with 503.
 */
export function redisCounters(client: Redis, redis: NonNullable<SignerConfig['redis']>): CounterFactory {
  return {
    counter: (name, points, seconds) =>
      new RateLimiterRedis({
        storeClient: client,
        keyPrefix: `${redis.keyPrefix}${name}`,
        points,
        duration: seconds,
        rejectIfRedisNotReady: true,
        ...(redis.whenDown === 'per-replica'
          ? { insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration: seconds }) }
          : {}),
      }),
  };
}
