import { Connections, fetchThrough, readCaFile, type ProxyResolver, type SmallFetch } from '../engine';

/**
 * The `fetch` a sign-in uses: connections made like the engine's, through the environment's proxy (or
 * `proxy`) and trusting the extra CA in `caFile`, so signing in works wherever uploading does.
 */
export function signInFetch(
  settings: { caFile?: string | undefined; proxy?: ProxyResolver | undefined } = {},
): SmallFetch {
  return fetchThrough(
    new Connections({
      maxSockets: 4,
      ca: settings.caFile ? readCaFile(settings.caFile) : undefined,
      proxy: settings.proxy,
    }),
  );
}
