import * as z from 'zod';
import { CONCURRENCY, concurrencyProblem, MIN_BANDWIDTH } from '../shared/engine-limits';
import { DEFAULT_RETRY } from './transfer/retry';

const Concurrency = z.custom<number>((value) => concurrencyProblem(value, 'concurrency') === undefined, {
  error: (issue) => concurrencyProblem(issue.input, 'concurrency'),
});

/** Settings of one engine, as the CLI and the desktop give them; every batch of the engine shares them. */
export const EngineOptionsSchema = z.strictObject({
  signerUrl: z.string().min(1),
  /** What journals call this signer, to find batches to resume; defaults to `signerUrl`. */
  signerId: z.string().min(1).optional(),
  token: z.string().min(1),
  /** Connections at once, for files and parts together. */
  concurrency: Concurrency.default(CONCURRENCY.default),
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
/** Engine settings with every default filled in. */
export type ResolvedEngineOptions = z.output<typeof EngineOptionsSchema>;

/** A setting the engine cannot work with; the message names it and its value. */
export class EngineOptionError extends TypeError {
  override name = 'EngineOptionError';
}

/** Validates engine settings and fills in defaults; throws an EngineOptionError naming the first bad one. */
export function resolveEngineOptions(options: EngineOptions): ResolvedEngineOptions {
  const result = EngineOptionsSchema.safeParse(options);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.join('.');
  throw new EngineOptionError(
    issue.code === 'custom' ? issue.message : `Invalid engine option \`${where}\`: ${issue.message}`,
  );
}
