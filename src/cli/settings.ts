import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { CONFLICT_CHOICES } from '../shared/conflicts';
import { parseBandwidth, parseConcurrency, parseConnections, parseDestination } from './parse-options';
import { cliPaths } from './paths';
import type { PushFlags } from './push-options';

/** A settings value read as its flag would be, so the file and the flag say the same thing about a bad value. */
const asFlag = <T>(parse: (value: string) => T) =>
  z.union([z.string(), z.number()]).transform((value, ctx): T => {
    try {
      return parse(String(value));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const PatternsSchema = z.array(z.string().trim().min(1, 'expected a glob pattern such as `*.tmp` or `drafts/`'));

/** What the settings file may hold: the signer and token, and defaults for `hoist push`'s flags. */
const SettingsSchema = z.strictObject({
  signer: z.url().optional(),
  token: z.string().min(1).optional(),
  concurrency: asFlag(parseConcurrency).optional(),
  minConcurrency: asFlag(parseConnections('minConcurrency')).optional(),
  maxConcurrency: asFlag(parseConnections('maxConcurrency')).optional(),
  bwlimit: asFlag(parseBandwidth).optional(),
  to: asFlag(parseDestination).optional(),
  onConflict: z.enum(CONFLICT_CHOICES).optional(),
  exclude: PatternsSchema.optional(),
  include: PatternsSchema.optional(),
});

/** The settings file, checked. */
export type Settings = z.output<typeof SettingsSchema>;

/** A settings file that cannot be used, with each problem in words: a usage error. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Reads the settings file (HOIST_CONFIG, else the platform's config folder); none is no settings. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const path = cliPaths(env).settingsFile;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new SettingsError(`Cannot read settings file ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SettingsError(`Settings file ${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = SettingsSchema.safeParse(json);
  if (!parsed.success) throw new SettingsError(`Settings file ${path}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * `hoist push`'s flags with the settings file's defaults: a flag given on the command line wins; the
 * file's excludes and includes come before the command line's, both applying.
 */
export function withPushDefaults(flags: PushFlags, given: (flag: string) => boolean, settings: Settings): PushFlags {
  const merged: PushFlags = { ...flags };
  const { concurrency, minConcurrency, maxConcurrency, bwlimit, to, onConflict } = settings;
  const defaults = { concurrency, minConcurrency, maxConcurrency, bwlimit, to, onConflict };
  for (const [flag, value] of Object.entries(defaults))
    if (value !== undefined && !given(flag)) Object.assign(merged, { [flag]: value });
  merged.exclude = [...(settings.exclude ?? []), ...flags.exclude];
  merged.include = [...(settings.include ?? []), ...flags.include];
  return merged;
}

/** Reads a token file (`-` is standard input), without its trailing newline; names the file on failure. */
function readTokenFile(path: string, read: (path: string | number) => string): string {
  let text: string;
  try {
    text = read(path === '-' ? 0 : path);
  } catch (error) {
    throw new TokenFileError(
      `Cannot read \`--token-file\` \`${path}\`: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const token = text.replace(/\r?\n$/u, '');
  if (!token) throw new TokenFileError(`\`--token-file\` \`${path}\` is empty`);
  return token;
}

/** A `--token-file` that cannot be read or is empty: a usage error. */
export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

/**
 * The signer URL and token from flags, then environment, then the settings file. The token comes from
 * `--token`, `--token-file` (a file, or `-` for standard input), `HOIST_TOKEN`, then the file;
 * `fromFlag` says it came from `--token`, which `ps` and shell history show.
 */
export function resolveSigner(
  flags: { signer?: string; token?: string; tokenFile?: string },
  env: NodeJS.ProcessEnv,
  read: (path: string | number) => string = (path) => readFileSync(path, 'utf8'),
): { signer?: string; token?: string; fromFlag: boolean } {
  const file = readSettings(env);
  const fromFile = flags.tokenFile === undefined ? undefined : readTokenFile(flags.tokenFile, read);
  return {
    signer: flags.signer ?? (env.HOIST_SIGNER || undefined) ?? file.signer,
    token: flags.token ?? fromFile ?? (env.HOIST_TOKEN || undefined) ?? file.token,
    fromFlag: flags.token !== undefined,
  };
}
