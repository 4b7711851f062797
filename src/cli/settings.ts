import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';

const FileSchema = z.strictObject({ signer: z.url().optional(), token: z.string().min(1).optional() });

/** Where the CLI reads its settings file: HOIST_CONFIG, or ~/.config/hoist/config.json. */
const settingsPath = (env: NodeJS.ProcessEnv): string =>
  env.HOIST_CONFIG ?? join(homedir(), '.config', 'hoist', 'config.json');

/** The signer URL and token from flags, then environment, then the settings file. */
export function resolveSigner(
  flags: { signer?: string; token?: string },
  env: NodeJS.ProcessEnv,
): { signer?: string; token?: string } {
  let file: z.infer<typeof FileSchema> = {};
  const path = settingsPath(env);
  try {
    file = FileSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new Error(`Cannot use settings file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return {
    signer: flags.signer ?? env.HOIST_SIGNER ?? file.signer,
    token: flags.token ?? env.HOIST_TOKEN ?? file.token,
  };
}
