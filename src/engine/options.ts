import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { AUTO_CONCURRENCY, concurrencyProblem, MIN_BANDWIDTH } from '../shared/engine-limits';
import type { BudgetSetting } from './transfer/connection-budget';
import type { ProxyResolver } from './transfer/connections';
import { DEFAULT_RETRY } from './transfer/retry';

const connectionCount = (name: string) =>
  z.custom<number>((value) => concurrencyProblem(value, name) === undefined, {
    error: (issue) => concurrencyProblem(issue.input, name),
  });

/** Settings of one engine, as the CLI and the desktop give them; every batch of the engine shares them. */
export const EngineOptionsSchema = z.strictObject({
  signerUrl: z.string().min(1),
  /** What journals call this signer, to find batches to resume; defaults to `signerUrl`. */
  signerId: z.string().min(1).optional(),
  token: z.string().min(1),
  /** Called when the signer refuses the token, for a fresh one (an OIDC access token refreshed). */
  refreshToken: z.custom<() => Promise<string>>((value) => typeof value === 'function').optional(),
  /** Connections at once, for files and parts together: a number pins it, `auto` lets the engine find it. */
  concurrency: z
    .custom<number | 'auto'>((value) => value === 'auto' || concurrencyProblem(value, 'concurrency') === undefined, {
      error: (issue) => `${concurrencyProblem(issue.input, 'concurrency')!}; or \`auto\``,
    })
    .default('auto'),
  /** The range an automatic budget moves in. */
  autoConcurrency: z
    .strictObject({
      min: connectionCount('autoConcurrency.min').default(AUTO_CONCURRENCY.min),
      max: connectionCount('autoConcurrency.max').default(AUTO_CONCURRENCY.max),
    })
    .refine((range) => range.min <= range.max, {
      error: (issue) => {
        const range = issue.input as { min: number; max: number };
        return `Expected \`autoConcurrency.min\` to be at most \`autoConcurrency.max\` (${range.max}), got \`${range.min}\``;
      },
    })
    .default({ min: AUTO_CONCURRENCY.min, max: AUTO_CONCURRENCY.max }),
  /** A PEM file of extra certificate authorities to trust, for a signer or store with a private CA. */
  caFile: z.string().min(1).optional(),
  /** Where each request goes: the environment's HTTPS_PROXY, HTTP_PROXY and NO_PROXY when absent. */
  proxy: z.custom<ProxyResolver>((f) => typeof f === 'function').optional(),
  /** Bytes per second for the whole engine; unlimited when absent. */
  bandwidth: z.number().int().min(MIN_BANDWIDTH).optional(),
  /** Where journals live; defaults to ~/.hoist. */
  stateDir: z.string().min(1).optional(),
  /** Milliseconds without progress before a transfer is aborted and retried. */
  stallMs: z.number().int().positive().default(30_000),
  retry: z
    .strictObject({
      retries: z.number().int().min(0).default(DEFAULT_RETRY.retries),
      minDelayMs: z.number().min(0).default(DEFAULT_RETRY.minDelayMs),
      maxDelayMs: z.number().min(0).default(DEFAULT_RETRY.maxDelayMs),
      onRetry: z.custom<NonNullable<typeof DEFAULT_RETRY.onRetry>>((f) => typeof f === 'function').optional(),
    })
    .default(DEFAULT_RETRY),
  /** Files per sign request; the signer's policy caps it. */
  signBatchSize: z.number().int().min(1).default(100),
  /**
   * Send the token and files over plain http to a signer or store off this machine. Without it, http is
   * used only when the signer is on a loopback address (the embedded one, a test rig).
   */
  allowHttp: z.boolean().default(false),
});

/** Engine settings as given, before defaults. */
export type EngineOptions = z.input<typeof EngineOptionsSchema>;
/** Engine settings with every default filled in, the connection budget they ask for and the extra CAs read. */
export type ResolvedEngineOptions = z.output<typeof EngineOptionsSchema> & { budget: BudgetSetting; ca?: string };

/** A setting the engine cannot work with; the message names it and its value. */
export class EngineOptionError extends TypeError {
  override name = 'EngineOptionError';
}

/** The budget the settings ask for: pinned, or automatic in its range, starting at 16 when the range allows. */
function budgetSetting(options: z.output<typeof EngineOptionsSchema>): BudgetSetting {
  if (options.concurrency !== 'auto') return { pinned: options.concurrency };
  const { min, max } = options.autoConcurrency;
  return { min, max, initial: Math.max(min, Math.min(max, AUTO_CONCURRENCY.initial)) };
}

/** The extra CA file's certificates in PEM; throws an EngineOptionError when it cannot be read or holds none. */
export function readCaFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new EngineOptionError(
      `Expected \`caFile\` to be a readable PEM file, got \`${path}\` (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----'))
    throw new EngineOptionError(
      `Expected \`caFile\` to hold PEM certificates, got \`${path}\` (no BEGIN CERTIFICATE line)`,
    );
  return text;
}

/**
 * Validates engine settings, fills in defaults, works out the connection budget and reads the CA file, in
 * one pass; throws an EngineOptionError naming the first bad setting.
 */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  const result = EngineOptionsSchema.safeParse(options);
  if (result.success) {
    const { data } = result;
    return { ...data, budget: budgetSetting(data), ...(data.caFile ? { ca: readCaFile(data.caFile) } : {}) };
  }
  const issue = result.error.issues[0]!;
  const where = issue.path.join('.');
  throw new EngineOptionError(
    issue.code === 'custom' ? issue.message : `Invalid engine option \`${where}\`: ${issue.message}`,
  );
}
