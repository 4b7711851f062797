import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';

const FileSchema = z.strictObject({ signer: z.url().optional(), token: z.string().min(1).optional() });

/** Where the CLI reads its settings file: HOIST_CONFIG, or ~/.config/hoist/config.json. */
const settingsPath = (env: NodeJS.ProcessEnv): string =>
  env.HOIST_CONFIG ?? join(homedir(), '.config', 'hoist', 'config.json');

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
  let file: z.infer<typeof FileSchema> = {};
  const path = settingsPath(env);
  try {
    file = FileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`Cannot use settings file ${path}: ${(error as Error).message}`, { cause: error });
  }
  const fromFile = flags.tokenFile === undefined ? undefined : readTokenFile(flags.tokenFile, read);
  return {
    signer: flags.signer ?? (env.HOIST_SIGNER || undefined) ?? file.signer,
    token: flags.token ?? fromFile ?? (env.HOIST_TOKEN || undefined) ?? file.token,
    fromFlag: flags.token !== undefined,
  };
}
