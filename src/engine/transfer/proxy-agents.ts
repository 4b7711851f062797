import type { ClientRequest, Agent as HttpAgent } from 'node:http';
import type { SecureContext } from 'node:tls';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent, type HttpsProxyAgentOptions } from 'https-proxy-agent';

/**
 * A CONNECT tunnel whose TLS to the far end trusts the extra CA: HttpsProxyAgent keeps its constructor's
 * options for the connection to the proxy only, and takes the far end's TLS options from each request.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  readonly #trust: SecureContext | undefined;

  constructor(proxy: URL, options: HttpsProxyAgentOptions<string>, trust: SecureContext | undefined) {
    super(proxy, options);
    this.#trust = trust;
  }

  override connect(req: ClientRequest, options: Parameters<HttpsProxyAgent<string>['connect']>[1]) {
    return super.connect(
      req,
      this.#trust && options.secureEndpoint ? { ...options, secureContext: this.#trust } : options,
    );
  }
}

/** An agent whose requests go through `proxy`: a CONNECT tunnel to a `secure` origin, else plain forwarding. */
export function proxyAgent(
  secure: boolean,
  proxy: URL,
  options: HttpsProxyAgentOptions<string>,
  trust: SecureContext | undefined,
): HttpAgent {
  return secure ? new TunnelAgent(proxy, options, trust) : new HttpProxyAgent(proxy, options);
}
