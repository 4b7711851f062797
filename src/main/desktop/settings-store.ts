import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../../engine/private-files';
import { dirname } from 'node:path';
import * as z from 'zod';
import { CONCURRENCY, RATE_UNITS } from '../../shared/engine-limits';
import { SettingsInputSchema, type SettingsInput } from '../../shared/ipc';
import { shownProxy, type ProxySetting } from '../../shared/proxy-settings';
import type { SettingsView } from '../../shared/desktop';
import type { SignedIn } from '../../sign-in';

/** The part of Electron's `safeStorage` the store needs: encryption by the OS keychain. */
export interface SecretBox {
  /** True only when the OS really encrypts (not Linux's `basic_text` fallback). */
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

/** The settings an engine is built from: what the window shows of them, and the secrets it does not. */
export interface Settings extends Pick<
  SettingsView,
  'signerUrl' | 'concurrency' | 'proxy' | 'caFile' | 'bandwidthMiBps' | 'followSymlinks' | 'autoStart'
> {
  token: string | undefined;
  /** A sign-in with the signer's identity provider: used when there is no token. */
  signIn?: SignedIn | undefined;
}

/** Recent destinations kept for the destination field. */
const MAX_RECENT = 10;

/** The origin a token was given for: `https://signer.example.com`, or '' for the embedded signer. */
const originOf = (signerUrl: string): string => (signerUrl ? new URL(signerUrl).origin : '');

/** `scheme://user:password@rest` split into the URL without them and the `user:password` part. */
const USERINFO = /^([a-z]+:\/\/)([^/@\s]+)@/iu;

/** A manual proxy's URL without its credentials, and the credentials (undefined when it has none). */
function splitProxyAuth(proxy: ProxySetting): { proxy: ProxySetting; auth: string | undefined } {
  if (proxy.mode !== 'manual') return { proxy, auth: undefined };
  const match = USERINFO.exec(proxy.url);
  if (!match) return { proxy, auth: undefined };
  return { proxy: { ...proxy, url: proxy.url.replace(USERINFO, '$1') }, auth: match[2] };
}

/** The proxy with `auth` put back into its URL. */
function withProxyAuth(proxy: ProxySetting, auth: string | undefined): ProxySetting {
  if (proxy.mode !== 'manual' || !auth) return proxy;
  return { ...proxy, url: proxy.url.replace(/^([a-z]+:\/\/)/iu, `$1${auth}@`) };
}

const FileSchema = z
  .object({
    signerUrl: z.string().default(''),
    tokenEncrypted: z.string().optional(),
    signInEncrypted: z.string().optional(),
    /** The manual proxy's `user:password`, encrypted like the token; the proxy URL on disk holds none. */
    proxyAuthEncrypted: z.string().optional(),
    concurrency: z.union([z.literal('auto'), z.int().min(CONCURRENCY.min).max(CONCURRENCY.max)]).default('auto'),
    proxy: SettingsInputSchema.shape.proxy.default({ mode: 'system' }),
    caFile: SettingsInputSchema.shape.caFile.default(null),
    bandwidthMiBps: z.number().positive().nullable().optional(),
    /** Written by Hoist 0.1 in megabytes (10^6 bytes) per second; read once and saved as MiB/s. */
    bandwidthMBps: z.number().positive().nullable().optional(),
    followSymlinks: z.boolean().default(false),
    autoStart: z.boolean().default(false),
    recentDestinations: z.array(z.string().max(1024)).max(50).default([]),
  })
  .transform(({ bandwidthMBps, bandwidthMiBps, ...rest }) => ({
    ...rest,
    bandwidthMiBps: bandwidthMiBps ?? (bandwidthMBps ? (bandwidthMBps * 1e6) / RATE_UNITS.m : null),
  }));

/** The settings of a first start: the embedded signer, automatic connections, the system's proxy, no limit. */
export const DEFAULT_SETTINGS: Readonly<Settings> = {
  signerUrl: '',
  token: undefined,
  concurrency: 'auto',
  proxy: { mode: 'system' },
  caFile: null,
  bandwidthMiBps: null,
  followSymlinks: false,
  autoStart: false,
};

/**
 * Settings in a JSON file. The token is written only encrypted by the OS (`safeStorage`); where the OS
 * offers no encryption it is kept in memory for this session and never written.
 */
export class SettingsStore {
  readonly #file: string;
  readonly #box: SecretBox;
  #settings: Settings;
  #sessionOnly = false;
  #recent: string[] = [];
  /** Set when the saved file could not be read, so the window can say so. */
  readonly problem: string | undefined;

  constructor(file: string, box: SecretBox) {
    this.#file = file;
    this.#box = box;
    const { settings, recent, problem } = this.#load();
    this.#settings = settings;
    this.#recent = recent;
    this.problem = problem;
  }

  /** The current settings, token included; for the main process only. */
  get(): Settings {
    return { ...this.#settings };
  }

  /** Destinations batches went to lately, newest first. */
  recentDestinations(): string[] {
    return [...this.#recent];
  }

  /** Puts `destination` first among the recent ones (at most 10) and saves them. */
  rememberDestination(destination: string): void {
    this.#recent = [destination, ...this.#recent.filter((d) => d !== destination)].slice(0, MAX_RECENT);
    this.#write();
  }

  /** The settings without the token, and the proxy without its password, for the window. */
  view(): SettingsView {
    const { token, signIn, proxy, ...rest } = this.#settings;
    const tokenStorage = !token ? 'none' : this.#sessionOnly ? 'session-only' : 'encrypted';
    return {
      ...rest,
      proxy: shownProxy(proxy),
      hasToken: Boolean(token),
      tokenStorage,
      signedInWith: signIn?.issuer ?? null,
    };
  }

  /**
   * Keeps (or, with undefined, forgets) the sign-in for the current signer, encrypted like the token. A
   * sign-in made for another signer (the signer changed while the person signed in) is refused.
   */
  setSignIn(signIn: SignedIn | undefined): void {
    const current = originOf(this.#settings.signerUrl);
    if (signIn?.signer !== undefined && signIn.signer !== current) {
      throw new Error(
        `This sign-in is for ${signIn.signer}, but the signer is now ${current || 'the embedded one'}: sign in again`,
      );
    }
    this.#settings = { ...this.#settings, signIn };
    this.#write();
  }

  /**
   * Applies validated input and writes the file atomically (temp file, then rename). A token is bound to
   * the signer's origin: when the origin changes, the saved token is forgotten unless a new one is given,
   * so it never goes to a host it was not made for; so is the sign-in. A proxy URL whose credentials the
   * window saw as `***` keeps the stored ones.
   */
  save(input: SettingsInput): SettingsView {
    const sameSigner = originOf(input.signerUrl) === originOf(this.#settings.signerUrl);
    const kept = sameSigner ? this.#settings.token : undefined;
    const token = input.token === undefined ? kept : input.token || undefined;
    this.#settings = {
      signerUrl: input.signerUrl,
      token,
      signIn: sameSigner ? this.#settings.signIn : undefined,
      concurrency: input.concurrency,
      proxy: this.#proxyFrom(input.proxy),
      caFile: input.caFile,
      bandwidthMiBps: input.bandwidthMiBps,
      followSymlinks: input.followSymlinks,
      autoStart: input.autoStart,
    };
    this.#write();
    return this.view();
  }

  /** The proxy to keep for `given`: with the stored credentials where the window sent them back as `***`. */
  #proxyFrom(given: ProxySetting): ProxySetting {
    if (given.mode !== 'manual' || !given.url.includes('://***@')) return given;
    const stored = splitProxyAuth(this.#settings.proxy);
    const bare = given.url.replace('://***@', '://');
    return stored.proxy.mode === 'manual' && stored.proxy.url === bare
      ? withProxyAuth({ ...given, url: bare }, stored.auth)
      : { ...given, url: bare };
  }

  /** Writes the settings atomically: a temp file, then rename; the token and proxy password only encrypted by the OS. */
  #write(): void {
    const { token, signIn, proxy: given, ...plain } = this.#settings;
    const encrypt = token !== undefined && this.#box.isEncryptionAvailable();
    this.#sessionOnly = token !== undefined && !encrypt;
    const sealed = signIn && this.#box.isEncryptionAvailable();
    const { proxy, auth } = splitProxyAuth(given);
    const sealedAuth = auth !== undefined && this.#box.isEncryptionAvailable();
    const onDisk = {
      ...plain,
      proxy,
      ...(sealedAuth ? { proxyAuthEncrypted: this.#box.encryptString(auth).toString('base64') } : {}),
      recentDestinations: this.#recent,
      ...(encrypt ? { tokenEncrypted: this.#box.encryptString(token).toString('base64') } : {}),
      ...(sealed ? { signInEncrypted: this.#box.encryptString(JSON.stringify(signIn)).toString('base64') } : {}),
    };
    makePrivateDir(dirname(this.#file));
    writeFileSync(`${this.#file}.tmp`, `${JSON.stringify(onDisk, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
    renameSync(`${this.#file}.tmp`, this.#file);
  }

  #load(): { settings: Settings; recent: string[]; problem?: string } {
    const defaults: Settings = { ...DEFAULT_SETTINGS };
    let text: string;
    try {
      text = readFileSync(this.#file, 'utf8');
    } catch {
      return { settings: defaults, recent: [] };
    }
    try {
      const { recentDestinations, tokenEncrypted, signInEncrypted, proxyAuthEncrypted, ...saved } = FileSchema.parse(
        JSON.parse(text),
      );
      const open = (sealed: string | undefined): string | undefined =>
        sealed && this.#box.isEncryptionAvailable()
          ? this.#box.decryptString(Buffer.from(sealed, 'base64'))
          : undefined;
      const signIn = open(signInEncrypted);
      return {
        settings: {
          ...saved,
          proxy: withProxyAuth(saved.proxy, open(proxyAuthEncrypted)),
          token: open(tokenEncrypted),
          ...(signIn ? { signIn: JSON.parse(signIn) as SignedIn } : {}),
        },
        recent: recentDestinations,
      };
    } catch (error) {
      return {
        settings: defaults,
        recent: [],
        problem: `Settings in ${this.#file} could not be read (${(error as Error).message}); using defaults`,
      };
    }
  }
}
