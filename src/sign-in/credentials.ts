import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import envPaths from 'env-paths';
import * as z from 'zod';

const SignedInSchema = z.strictObject({
  /** The origin of the signer this sign-in was made for; it is never used for another. */
  signer: z.string().optional(),
  issuer: z.string(),
  clientId: z.string(),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1).optional(),
  /** When the access token expires, in ms since the epoch. */
  expiresAt: z.number(),
});

const FileSchema = z.record(z.string(), SignedInSchema);

/** One signer's sign-in: the provider, the tokens and when the access token expires. */
export type SignedIn = z.infer<typeof SignedInSchema>;

/**
 * Where sign-ins are kept: HOIST_SIGN_IN_FILE, or `sign-in.json` beside the settings file (HOIST_CONFIG,
 * else the platform's config folder: XDG, `~/Library/Preferences`, `%APPDATA%`); one an older Hoist left
 * in `~/.config/hoist` stays in use.
 */
export function signInPath(env: NodeJS.ProcessEnv, home: string = homedir()): string {
  if (env.HOIST_SIGN_IN_FILE) return env.HOIST_SIGN_IN_FILE;
  if (env.HOIST_CONFIG) return join(dirname(env.HOIST_CONFIG), 'sign-in.json');
  const current = join(envPaths('hoist', { suffix: '' }).config, 'sign-in.json');
  const old = join(home, '.config', 'hoist', 'sign-in.json');
  return !existsSync(current) && existsSync(old) ? old : current;
}

/**
 * The sign-ins of this person, one per signer origin, in a file only they may read (0600 in a 0700
 * folder), replaced whole on each write so a crash leaves the old one or the new one.
 */
export class SignInStore {
  readonly #path: string;

  constructor(path: string) {
    this.#path = path;
  }

  get path(): string {
    return this.#path;
  }

  /** The sign-in for the signer at `origin`, if there is one. */
  get(origin: string): SignedIn | undefined {
    return this.#read()[origin];
  }

  /** Keeps `signedIn` for the signer at `origin`. */
  set(origin: string, signedIn: SignedIn): void {
    this.#write({ ...this.#read(), [origin]: signedIn });
  }

  /** Forgets the sign-in for `origin`; returns what was forgotten. */
  delete(origin: string): SignedIn | undefined {
    const all = this.#read();
    const gone = all[origin];
    if (gone) {
      delete all[origin];
      this.#write(all);
    }
    return gone;
  }

  #read(): Record<string, SignedIn> {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    const parsed = FileSchema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new Error(`Cannot use the sign-in file ${this.#path}: ${parsed.error.issues[0]!.message}`);
    return parsed.data;
  }

  #write(all: Record<string, SignedIn>): void {
    mkdirSync(dirname(this.#path), { recursive: true, mode: 0o700 });
    const next = `${this.#path}.${process.pid}.tmp`;
    writeFileSync(next, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
    renameSync(next, this.#path);
  }
}
