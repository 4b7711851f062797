import { redactUrlCredentials } from '@hoist/protocol/redact';

/** How the desktop reaches the signer and the store: the system's proxy settings, a proxy given by hand, or none. */
export type ProxySetting = { mode: 'system' } | { mode: 'none' } | { mode: 'manual'; url: string; noProxy: string };

/** A proxy URL as Settings accept it: `http://host:port` or `https://host:port`, with optional credentials. */
export const PROXY_URL =
  /^https?:\/\/([^/@\s]+@)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$|^https?:\/\/([^/@\s]+@)?\[[0-9A-Fa-f:.]+\](:\d{1,5})?\/?$/u;

/**
 * The proxy a PAC-style answer names first, as a URL (`PROXY h:p` is `http://h:p`, `HTTPS h:p` is
 * `https://h:p`), or undefined for DIRECT. SOCKS entries are passed over for the next one; an answer with
 * only SOCKS proxies throws, naming them, since Hoist speaks HTTP proxies only.
 */
export function proxyFromPac(answer: string): string | undefined {
  const entries = answer
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [kind = '', address = ''] = entry.split(/\s+/u);
    const upper = kind.toUpperCase();
    if (upper === 'DIRECT') return undefined;
    if (upper === 'PROXY') return `http://${address}`;
    if (upper === 'HTTPS') return `https://${address}`;
  }
  if (entries.length)
    throw new Error(
      `Expected the system proxy to be an HTTP proxy or DIRECT, got \`${answer}\`: set a manual HTTP proxy in Settings`,
    );
  return undefined;
}

/** The proxy setting as the window and the person may see it: a manual proxy's credentials as `***`. */
export function shownProxy(proxy: ProxySetting): ProxySetting {
  return proxy.mode === 'manual' ? { ...proxy, url: redactUrlCredentials(proxy.url) } : proxy;
}
