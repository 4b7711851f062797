declare module 'proxy-from-env' {
  /** The proxy URL the environment names for `url`, or '' to connect straight. */
  export function getProxyForUrl(url: string | URL): string;
}
