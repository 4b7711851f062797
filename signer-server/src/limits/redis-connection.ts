import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { SignerConfig } from '../config';

/** How often, at most, the signer logs again that Redis is still unreachable. */
const REPEAT_MS = 10_000;

/** How long the signer waits for Redis at start before it serves anyway (and logs that Redis is away). */
const START_WAIT_MS = 5_000;

/** Resolves once Redis is connected, or after 5 s without it (the connection's error log says so). */
export async function redisReady(client: Redis, logger: Logger): Promise<void> {
  if (client.status === 'ready') return;
  const connected = new Promise<boolean>((resolve) => client.once('ready', () => resolve(true)));
  const waited = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), START_WAIT_MS).unref());
  if (!(await Promise.race([connected, waited]))) {
    logger.error(
      { event: 'redis-unreachable-at-start' },
      `Redis did not answer within ${START_WAIT_MS / 1000} s of starting`,
    );
  }
}

/**
 * One Redis client for the counters, failing commands at once while disconnected (no offline queue), and
 * logging loudly when Redis goes away (again every 10 s while it stays away) and when it is back.
 */
export function connectRedis(redis: NonNullable<SignerConfig['redis']>, logger: Logger): Redis {
  const client = new Redis(redis.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  });
  const consequence =
    redis.whenDown === 'refuse'
      ? 'requests are refused with 503 until it is back (redis.whenDown: refuse)'
      : 'limits and quotas count per replica until it is back (redis.whenDown: per-replica)';
  let downSince: number | undefined;
  let lastLogged = 0;
  const away = (reason: string): void => {
    const now = Date.now();
    downSince ??= now;
    if (now - lastLogged < REPEAT_MS) return;
    lastLogged = now;
    logger.error(
      { event: 'redis-unreachable', downForMs: now - downSince, error: reason },
      `Redis is unreachable; ${consequence}`,
    );
  };
  client.on('error', (error: Error) => away(error.message));
  client.on('close', () => away('the connection closed'));
  client.on('ready', () => {
    if (downSince === undefined) return;
    logger.warn(
      { event: 'redis-back', downForMs: Date.now() - downSince },
      'Redis is reachable again; limits are shared by every replica',
    );
    downSince = undefined;
    lastLogged = 0;
  });
  return client;
}

/** Closes the connection for good, without logging that Redis went away. */
export function closeRedis(client: Redis): void {
  client.removeAllListeners('close');
  client.disconnect();
}
