import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import type { Caller } from '../auth';
import type { QuotaConfig } from '../config';
import { formatBytes } from '@hoist/protocol';
import type { QuotaStatus } from '@hoist/protocol';
import type { CounterFactory } from './counters';
import { isOverLimit, limitsUnavailable } from './counter-errors';

const DAY = 24 * 3600;

/** A quota's name, as the config and the refusals spell it. */
export type QuotaName = keyof QuotaConfig;

/** A file the quotas are asked about: only its size counts. */
export interface QuotaFile {
  size: number;
}

/** Why one file does not fit: the quota, what is left of it and when it resets. */
export interface QuotaRefusal {
  code: 'quota-exceeded';
  message: string;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** A batch as the quotas see it: the id the client gave it and the folder it writes to (a destination, or its own). */
export interface BatchScope {
  id: string;
  folder: string;
}

/** What a quota allows, in words: `10 GB a day`, `1,000 files a day`, `500 files a batch`. */
function describe(name: QuotaName, limit: number): string {
  if (name === 'bytesPerDay') return `${formatBytes(limit)} a day`;
  if (name === 'filesPerDay') return `${count(limit)} files a day`;
  return `${count(limit)} files a batch`;
}

const left = (name: QuotaName, remaining: number): string =>
  name === 'bytesPerDay' ? `${formatBytes(remaining)} left` : `${count(remaining)} files left`;

/**
 * Per-user quotas, counted where the limits are (Redis for every replica, or memory): bytes and files
 * signed in a day (a 24-hour window from the user's first signed file) and files per batch.
 */
export class Quotas {
  readonly #config: QuotaConfig;
  readonly #counters: CounterFactory;
  readonly #made = new Map<string, RateLimiterAbstract>();

  constructor(config: QuotaConfig, counters: CounterFactory) {
    this.#config = config;
    this.#counters = counters;
  }

  /** Where the caller stands with each quota they have, for the policy answer. */
  async status(caller: Caller): Promise<QuotaStatus[]> {
    const out: QuotaStatus[] = [];
    for (const [name, limit] of this.#limits(caller)) {
      if (name === 'filesPerBatch') {
        out.push({ name, limit, remaining: limit, resetsAt: null, description: describe(name, limit) });
        continue;
      }
      const res = await this.#get(name, limit, caller.id);
      out.push({
        name,
        limit,
        remaining: Math.max(0, limit - (res?.consumedPoints ?? 0)),
        resetsAt: res ? new Date(Date.now() + res.msBeforeNext).toISOString() : null,
        description: describe(name, limit),
      });
    }
    return out;
  }

  /**
   * Takes what `files` need from the caller's quotas, in order, and returns a refusal for each file that
   * does not fit (undefined for those that do). Throws 503 when the shared counters cannot be reached.
   */
  async take(caller: Caller, batch: BatchScope, files: readonly QuotaFile[]): Promise<(QuotaRefusal | undefined)[]> {
    const limits = this.#limits(caller);
    if (!limits.length || !files.length) return files.map(() => undefined);
    const state = await Promise.all(
      limits.map(async ([name, limit]) => {
        const res = await this.#get(name, limit, this.#key(name, caller, batch));
        return { name, limit, remaining: limit - (res?.consumedPoints ?? 0), res, taken: 0 };
      }),
    );
    const refusals = files.map((file) => {
      const short = state.find((q) => (q.name === 'bytesPerDay' ? file.size : 1) > q.remaining);
      if (short) return this.#refusal(short.name, short.limit, short.remaining, short.res, file.size, batch);
      for (const q of state) {
        const need = q.name === 'bytesPerDay' ? file.size : 1;
        q.remaining -= need;
        q.taken += need;
      }
      return undefined;
    });
    if (await this.#consume(caller, batch, state)) return refusals;
    const raced: QuotaRefusal = {
      code: 'quota-exceeded',
      message: 'Another upload of yours used the same quota at the same moment; sign these files again',
    };
    return files.map(() => raced);
  }

  /** Consumes what was taken; false (all given back) when another request took some meanwhile and one overflowed. */
  async #consume(
    caller: Caller,
    batch: BatchScope,
    state: { name: QuotaName; limit: number; taken: number }[],
  ): Promise<boolean> {
    const done: { counter: RateLimiterAbstract; key: string; points: number }[] = [];
    try {
      for (const q of state) {
        if (!q.taken) continue;
        const counter = this.#counter(q.name, q.limit);
        const key = this.#key(q.name, caller, batch);
        done.push({ counter, key, points: q.taken });
        await counter.consume(key, q.taken);
      }
    } catch (error) {
      await Promise.allSettled(done.map((d) => d.counter.reward(d.key, d.points)));
      if (!isOverLimit(error)) throw limitsUnavailable();
      return false;
    }
    return true;
  }

  #refusal(
    name: QuotaName,
    limit: number,
    remaining: number,
    res: RateLimiterRes | null,
    size: number,
    batch: BatchScope,
  ): QuotaRefusal {
    // A day's window starts with the user's first signed file: with none yet, with this request.
    const resetsIn = res ? res.msBeforeNext : DAY * 1000;
    const resets = name === 'filesPerBatch' ? '' : `; it resets at ${new Date(Date.now() + resetsIn).toISOString()}`;
    const need = name === 'bytesPerDay' ? `, and this file is ${formatBytes(size)}` : '';
    const where = batch.folder === batch.id ? `batch \`${batch.id}\`` : `\`${batch.folder}\``;
    const scope = name === 'filesPerBatch' ? ` for ${where}` : '';
    return {
      code: 'quota-exceeded',
      message: `Quota \`${name}\` (${describe(name, limit)}): ${left(name, Math.max(0, remaining))}${scope}${need}${resets}`,
    };
  }

  #limits(caller: Caller): [QuotaName, number][] {
    const merged = { ...this.#config, ...caller.quotas };
    return (['bytesPerDay', 'filesPerDay', 'filesPerBatch'] as const).flatMap((name) =>
      merged[name] ? [[name, merged[name]] as [QuotaName, number]] : [],
    );
  }

  // Files per batch count by the folder the batch writes to, not by the id the client chose: a client
  // that splits one destination's files over many batch ids still fills one count.
  #key(name: QuotaName, caller: Caller, batch: BatchScope): string {
    return name === 'filesPerBatch' ? `${caller.id}:${batch.folder}` : caller.id;
  }

  async #get(name: QuotaName, limit: number, key: string): Promise<RateLimiterRes | null> {
    try {
      return await this.#counter(name, limit).get(key);
    } catch {
      throw limitsUnavailable();
    }
  }

  #counter(name: QuotaName, limit: number): RateLimiterAbstract {
    // One count per quota whatever the limit (a user's own or the default), so changing a limit keeps it.
    const id = `${name}-${limit}`;
    let counter = this.#made.get(id);
    if (!counter) {
      counter = this.#counters.counter(`quota-${name}`, limit, name === 'filesPerBatch' ? 7 * DAY : DAY);
      this.#made.set(id, counter);
    }
    return counter;
  }
}
