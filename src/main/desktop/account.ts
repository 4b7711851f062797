import { manualProxy, type SmallFetch, type UploadEngine } from '../../engine';
import { hintFor } from '../../shared/desktop';
import type { SettingsInput } from '../../shared/ipc';
import { browserSignIn, revokeSignIn, SignInError, signInFetch } from '../../sign-in';
import type { Settings, SettingsStore } from './settings-store';

/** Builds the engine for the current settings (a remote signer, or the embedded local stack). */
export type EngineFactory = (settings: Settings) => Promise<UploadEngine>;

/**
 * The person's settings and who they are to the signer (a token or a sign-in), and the one engine built
 * from them: rebuilt after any change, so batches added from then on use the new settings.
 */
export class Account {
  readonly #settings: SettingsStore;
  readonly #createEngine: EngineFactory;
  readonly #openExternal: ((url: string) => Promise<void>) | undefined;
  #engine: Promise<UploadEngine> | undefined;

  constructor(settings: SettingsStore, createEngine: EngineFactory, openExternal?: (url: string) => Promise<void>) {
    this.#settings = settings;
    this.#createEngine = createEngine;
    this.#openExternal = openExternal;
  }

  /** The engine for the current settings, built once per change of settings. */
  engine(): Promise<UploadEngine> {
    if (this.#engine) return this.#engine;
    const engine = this.#createEngine(this.#settings.get());
    // A failed start (no token, embedded store down) is not cached: the next batch tries again.
    engine.catch(() => {
      if (this.#engine === engine) this.#engine = undefined;
    });
    this.#engine = engine;
    return engine;
  }

  /** Saves settings; batches added from now on use an engine built from them. */
  async save(input: SettingsInput): Promise<ReturnType<SettingsStore['view']>> {
    const before = this.#settings.get().signIn;
    const view = this.#settings.save(input);
    // A sign-in forgotten with its signer is revoked too, so its refresh token outlives it nowhere.
    if (before && !this.#settings.get().signIn) await revokeSignIn(before, this.#signInFetch());
    this.#engine = undefined;
    return view;
  }

  /** Signs in to the signer's identity provider in the system browser; batches added from now on use it. */
  async signIn(): Promise<ReturnType<SettingsStore['view']>> {
    const { signerUrl } = this.#settings.get();
    if (!signerUrl) throw new Error('The embedded signer takes no sign-in: set a signer URL in Settings first');
    if (!this.#openExternal) throw new Error('This window cannot open the system browser to sign in');
    try {
      this.#settings.setSignIn(await browserSignIn(signerUrl, this.#openExternal, this.#signInFetch()));
    } catch (error) {
      if (error instanceof SignInError) throw new Error(`${error.message}. ${hintFor(error.code)}`, { cause: error });
      throw error;
    }
    this.#engine = undefined;
    return this.#settings.view();
  }

  /** Forgets the sign-in and revokes its refresh token at the provider; batches added from now on need a token or a new sign-in. */
  async signOut(): Promise<ReturnType<SettingsStore['view']>> {
    const gone = this.#settings.get().signIn;
    this.#settings.setSignIn(undefined);
    this.#engine = undefined;
    if (gone) await revokeSignIn(gone, this.#signInFetch());
    return this.#settings.view();
  }

  /** The `fetch` a sign-in uses: the extra CA and manual proxy of the settings (else the environment's proxy). */
  #signInFetch(): SmallFetch {
    const { caFile, proxy } = this.#settings.get();
    return signInFetch({
      caFile: caFile ?? undefined,
      proxy:
        proxy.mode === 'manual'
          ? manualProxy(proxy.url, proxy.noProxy)
          : proxy.mode === 'none'
            ? () => undefined
            : undefined,
    });
  }
}
