import { join } from 'node:path';
import type { LocalStack } from '@hoist/signer-server/local-stack';
import { manualProxy, UploadEngine, type ProxyResolver } from '../../engine';
import { RATE_UNITS } from '../../shared/engine-limits';
import { proxyFromPac } from '../../shared/proxy-settings';
import type { Settings } from './settings-store';

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
): Promise<UploadEngine> {
  const common = {
    stateDir,
    concurrency: settings.concurrency,
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
    ...(settings.bandwidthMiBps ? { bandwidth: Math.round(settings.bandwidthMiBps * RATE_UNITS.m) } : {}),
  };
  if (settings.signerUrl) {
    if (!settings.token) throw new Error('No token: paste the token your signer gave you in Settings');
    return new UploadEngine({
      ...common,
      signerUrl: settings.signerUrl,
      token: settings.token,
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
