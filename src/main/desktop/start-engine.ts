import type { LocalStack } from '@hoist/signer-server/local-stack';
import { manualProxy, UploadEngine, type ProxyResolver } from '../../engine';
import { RATE_UNITS } from '../../shared/engine-limits';
import { proxyFromPac } from '../../shared/proxy-settings';
import type { Settings } from './settings-store';
import { tokenSession, type SignedIn } from '../../sign-in';
import { startEmbeddedStack } from '../../embedded/embedded-stack';

/** The token to send: the pasted one, else the sign-in's (refreshed when due), with how to refresh it. */
async function credentialsFor(
  settings: Settings,
  keep: (signIn: SignedIn) => void,
): Promise<{ token: string; refreshToken?: () => Promise<string> }> {
  if (settings.token) return { token: settings.token };
  if (!settings.signIn) throw new Error('Not signed in: sign in, or paste the token your signer gave you, in Settings');
  const session = await tokenSession(settings.signIn, keep);
  return { token: session.token, refreshToken: session.refresh };
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
 * answers for the system's), else the embedded local signer and store, started once per thread, reached
 * straight, and running until the thread ends (a write it cuts short is repaired at the next start).
 */
export async function startEngine(
  settings: Settings,
  stateDir: string,
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
  embedded ??= startEmbeddedStack(stateDir);
  const stack = await embedded;
  return new UploadEngine({
    ...common,
    signerUrl: stack.signerUrl,
    signerId: 'embedded',
    token: stack.token,
    proxy: () => undefined,
  });
}
