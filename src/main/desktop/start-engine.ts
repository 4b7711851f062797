import { join } from 'node:path';
import type { LocalStack } from '@hoist/signer-server/local-stack';
import { manualProxy, UploadEngine, type ProxyResolver } from '../../engine';
import { RATE_UNITS } from '../../shared/engine-limits';
import { proxyFromPac } from '../../shared/proxy-settings';
import type { Settings } from './settings-store';
import type { SignedIn } from '../../engine/sign-in/credentials';
import { refreshSignIn } from '../../engine/sign-in/provider';

/** How long before its expiry a signed-in access token is refreshed rather than sent. */
const EARLY_MS = 60_000;

/** The token to send: the pasted one, else the sign-in's (refreshed when due), with how to refresh it. */
async function credentialsFor(
  settings: Settings,
  keep: (signIn: SignedIn) => void,
): Promise<{ token: string; refreshToken?: () => Promise<string> }> {
  if (settings.token) return { token: settings.token };
  let signIn = settings.signIn;
  if (!signIn) throw new Error('Not signed in: sign in, or paste the token your signer gave you, in Settings');
  const refresh = async (): Promise<string> => {
    signIn = await refreshSignIn(signIn!);
    keep(signIn);
    return signIn.accessToken;
  };
  if (signIn.expiresAt - Date.now() < EARLY_MS) await refresh();
  return { token: signIn.accessToken, refreshToken: refresh };
}

let embedded: Promise<LocalStack> | undefined;

/** Asks the system's proxy settings (Chromium's, a PAC script included) about a URL: a PAC-style answer. */
export type SystemProxyLookup = (url: string) => Promise<string>;

/** The resolver the proxy setting asks for: the system's answer for each origin, a manual proxy, or none. */
export function proxyResolver(setting: Settings['proxy'], system: SystemProxyLookup): ProxyResolver {
  if (setting.mode === 'manual') return manualProxy(setting.url, setting.noProxy);
  if (setting.mode === 'none') return () => undefined;
  return async (url) => proxyFromPac(await system(url));
}

/**
 * The engine for `settings`: their signer when one is set, reached as the proxy setting says (`system`
 * answers for the system's), else the embedded local signer and store, started once per process and
 * reached straight; `onQuit` receives the function that stops it.
 */
export async function startEngine(
  settings: Settings,
  stateDir: string,
  onQuit: (stop: () => void) => void,
  system: SystemProxyLookup,
  keepSignIn: (signIn: SignedIn) => void = () => undefined,
): Promise<UploadEngine> {
  const common = {
    stateDir,
    concurrency: settings.concurrency,
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
    ...(settings.bandwidthMiBps ? { bandwidth: Math.round(settings.bandwidthMiBps * RATE_UNITS.m) } : {}),
  };
  if (settings.signerUrl) {
    return new UploadEngine({
      ...common,
      ...(await credentialsFor(settings, keepSignIn)),
      signerUrl: settings.signerUrl,
      proxy: proxyResolver(settings.proxy, system),
    });
  }
  embedded ??= import('@hoist/signer-server/local-stack').then(async ({ startLocalStack }) => {
    const stack = await startLocalStack(join(stateDir, 'local', 's3'), { logLevel: 'silent' });
    onQuit(() => void stack.stop());
    return stack;
  });
  const stack = await embedded;
  return new UploadEngine({
    ...common,
    signerUrl: stack.signerUrl,
    signerId: 'embedded',
    token: stack.token,
    proxy: () => undefined,
  });
}
