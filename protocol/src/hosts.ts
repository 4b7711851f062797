// 127/8, ::1, localhost, and 127/8 mapped into IPv6 (`::ffff:127.0.0.1`, which URL writes `::ffff:7f00:1`).
// Not 0.0.0.0 or `::`: "any address" is no loopback one, though Linux connects it to this machine.
const LOOPBACK_HOST =
  /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})$/u;

/** True when `host` (a name or an address, IPv6 in brackets or not) is a loopback one: this machine only. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host.replace(/^\[(.*)\]$/u, '$1').toLowerCase());
}
