const LOOPBACK_HOST = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/u;

/** True when `host` (a name or an address, IPv6 in brackets or not) is a loopback one: this machine only. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host.replace(/^\[(.*)\]$/u, '$1').toLowerCase());
}
