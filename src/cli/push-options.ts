import * as z from 'zod';
import { CONFLICT_CHOICES } from '../shared/conflicts';
import { DEFAULT_IGNORE, includeRule, type BatchOptions, type EngineOptions, type PlanOptions } from '../engine';

/**
 * The flags of `hoist push` after commander has parsed each one (its own parser names a bad value): the
 * one description of what push takes. Everything below is converted from it.
 */
export const PushFlagsSchema = z.object({
  signer: z.string().optional(),
  token: z.string().optional(),
  tokenFile: z.string().optional(),
  to: z.string().optional(),
  /** Start a fresh batch folder instead of continuing where the folder went before. */
  newFolder: z.boolean().default(false),
  onConflict: z.enum(CONFLICT_CHOICES),
  concurrency: z.union([z.number().int(), z.literal('auto')]),
  minConcurrency: z.number().int().optional(),
  maxConcurrency: z.number().int().optional(),
  caFile: z.string().optional(),
  bwlimit: z.number().optional(),
  dryRun: z.boolean().default(false),
  json: z.boolean().default(false),
  quiet: z.boolean().default(false),
  verbose: z.boolean().default(false),
  /** `--no-progress` makes it false. */
  progress: z.boolean().default(true),
  logFile: z.string().optional(),
  report: z.string().optional(),
  stateDir: z.string().optional(),
  exclude: z.array(z.string()).default([]),
  /** `--include`: when given, only matching files are sent. */
  include: z.array(z.string()).default([]),
  /** `--ignore`, the older name of `--exclude`. */
  ignore: z.array(z.string()).default([]),
  defaultExcludes: z.boolean().default(true),
  links: z.boolean().default(false),
  followSymlinks: z.boolean().default(false),
  allowHttp: z.boolean().default(false),
});

/** The flags of `hoist push`, as parsed. */
export type PushFlags = z.output<typeof PushFlagsSchema>;

/** What a push works from: its flags with the environment's defaults applied. */
export interface PushOptions extends Omit<
  PushFlags,
  'exclude' | 'include' | 'ignore' | 'defaultExcludes' | 'stateDir'
> {
  stateDir: string;
  /** Every filter rule: the default excludes (unless dropped), each `--exclude`, then each `--include` as `+ PATTERN`. */
  ignore: string[];
}

/** Where a push sends its files: the signer, who it is there, and whether it is the embedded one. */
export interface Connection {
  signerUrl: string;
  token: string;
  refreshToken?: () => Promise<string>;
  embedded: boolean;
}

/** The push's options from its parsed flags, `HOIST_CA_FILE`, and the state folder for when `--state-dir` is not given. */
export function pushOptions(parsed: unknown, env: NodeJS.ProcessEnv, defaultStateDir: string): PushOptions {
  const { exclude, include, ignore, defaultExcludes, stateDir, caFile, ...flags } = PushFlagsSchema.parse(parsed);
  const ca = caFile ?? (env.HOIST_CA_FILE || undefined);
  return {
    ...flags,
    ...(ca ? { caFile: ca } : {}),
    stateDir: stateDir ?? defaultStateDir,
    ignore: [...(defaultExcludes ? DEFAULT_IGNORE : []), ...exclude, ...ignore, ...include.map(includeRule)],
  };
}

/** What any command needs to reach a signer: where it keeps its state, which CAs it trusts, plain http or not. */
export type ReachOptions = Pick<PushOptions, 'stateDir' | 'caFile' | 'allowHttp'>;

/** The engine's options for reaching the signer through `connection`, and nothing more. */
export function connectionOptions(options: ReachOptions, connection: Connection): EngineOptions {
  return {
    signerUrl: connection.signerUrl,
    signerId: connection.embedded ? 'embedded' : connection.signerUrl,
    token: connection.token,
    ...(connection.refreshToken ? { refreshToken: connection.refreshToken } : {}),
    ...(options.caFile ? { caFile: options.caFile } : {}),
    // The embedded signer and store are on this machine: never through a proxy the environment names.
    ...(connection.embedded ? { proxy: () => undefined } : {}),
    stateDir: options.stateDir,
    allowHttp: options.allowHttp,
  };
}

/** The engine's options for a push through `connection`. */
export function engineOptions(options: PushOptions, connection: Connection): EngineOptions {
  return {
    ...connectionOptions(options, connection),
    concurrency: options.concurrency,
    autoConcurrency: {
      ...(options.minConcurrency ? { min: options.minConcurrency } : {}),
      ...(options.maxConcurrency ? { max: options.maxConcurrency } : {}),
    },
    ...(options.bwlimit ? { bandwidth: options.bwlimit } : {}),
  };
}

/** The plan's options for a dry run of one folder going to `destination` (its own new folder when undefined). */
export function planOptions(
  options: PushOptions,
  destination: string | undefined,
): Partial<PlanOptions> & { destination?: string } {
  return {
    ignore: options.ignore,
    followSymlinks: options.followSymlinks,
    ...(destination ? { destination } : {}),
    keepFiles: false,
  };
}

/** The batch's options for one folder going to `destination` (its own new folder when undefined). */
export function batchOptions(options: PushOptions, destination: string | undefined): BatchOptions {
  return {
    ignore: options.ignore,
    followSymlinks: options.followSymlinks,
    ...(destination ? { destination } : {}),
    onConflict: options.onConflict,
  };
}

/**
 * Where one folder goes: `--to`; else, unless `--new-folder`, where it went last time (so a push again
 * moves only what is new); else a fresh batch folder (undefined).
 */
export function destinationFor(
  options: PushOptions,
  remembered: (root: string) => string | undefined,
  root: string,
): { destination?: string; continued: boolean } {
  if (options.to) return { destination: options.to, continued: false };
  const before = options.newFolder ? undefined : remembered(root);
  return before ? { destination: before, continued: true } : { continued: false };
}
