import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, type AgentOptions, type ClientRequest } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { getProxyForUrl } from 'proxy-from-env';
import { redactUrlCredentials } from '@hoist/protocol';

/**
 * Leaves out the `Connection: keep-alive` Node writes into every request through a keep-alive agent: an
 * HTTP/1.1 connection stays open unless a side says close, and those 24 bytes went up beside each small file.
 */
export function omitConnectionHeader(req: ClientRequest): ClientRequest {
  req.removeHeader('connection');
  return req;
}

/** The proxy a request to `url` goes through (`http://host:port`), or undefined to connect straight. */
export type ProxyResolver = (url: string) => string | undefined | Promise<string | undefined>;

/** The proxy the environment names for `url`: HTTPS_PROXY, HTTP_PROXY or ALL_PROXY, unless NO_PROXY matches. */
export const environmentProxy: ProxyResolver = (url) => getProxyForUrl(url) || undefined;

/**
 * True when `url`'s host is in `noProxy`: a comma- or space-separated list of hosts (`example.com`),
 * domain suffixes (`.example.com`, `*.example.com`), either with `:port`, or `*` for every host.
 */
export function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return noProxy
    .toLowerCase()
    .split(/[\s,]+/u)
    .filter(Boolean)
    .some((entry) => {
      if (entry === '*') return true;
      const [, name = entry, entryPort] = /^(.+?)(?::(\d+))?$/u.exec(entry) ?? [];
      if (entryPort && entryPort !== port) return false;
      const suffix = name.replace(/^\*/u, '');
      return suffix.startsWith('.') ? host.endsWith(suffix) || host === suffix.slice(1) : host === suffix;
    });
}

/** A resolver that sends every request through `proxy`, except to the hosts `noProxy` lists. */
export function manualProxy(proxy: string, noProxy = ''): ProxyResolver {
  return (url) => (bypassesProxy(new URL(url), noProxy) ? undefined : proxy);
}

/** What the engine's connections are made with. */
export interface ConnectionOptions {
  /** Connections at most per host (and per proxy): the engine's largest connection budget. */
  maxSockets: number;
  /** Extra certificate authorities to trust, in PEM, beside the system's and NODE_EXTRA_CA_CERTS. */
  ca?: string | undefined;
  /** Where each request goes; the environment's proxy settings when absent. */
  proxy?: ProxyResolver | undefined;
}

type Agent = HttpAgent | HttpsAgent;

/** The certificates to trust: Node's roots, NODE_EXTRA_CA_CERTS, then `extra`. */
function trustedCertificates(extra: string): string[] {
  const fromEnvironment = process.env.NODE_EXTRA_CA_CERTS;
  // Node adds NODE_EXTRA_CA_CERTS to its default store only, which an explicit `ca` replaces.
  const environment = fromEnvironment ? [readFileSync(fromEnvironment, 'utf8')] : [];
  return [...rootCertificates, ...environment, extra];
}

/**
 * Keep-alive connections for every request the engine makes, to S3 and to the signer: each origin is
 * reached straight or through the proxy its resolver names (decided once per origin), over TLS that
 * trusts the extra CA when one is given.
 */
export class Connections {
  readonly #options: ConnectionOptions;
  /**
   * One TLS context holding every trusted certificate, made once: passed as `ca`, the ~150 roots would be
   * parsed again for each connection and joined into the agent's pool name for each request (measured:
   * 10 s of CPU for 5,000 small files).
   */
  readonly #trust: SecureContext | undefined;
  readonly #agents = new Map<string, Agent>();
  readonly #routes = new Map<string, Promise<Agent>>();
  /** What every agent is made with. */
  readonly #agentOptions: AgentOptions;

  constructor(options: ConnectionOptions) {
    this.#options = options;
    const { maxSockets } = options;
    this.#agentOptions = { keepAlive: true, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' };
    this.#trust = options.ca ? createSecureContext({ ca: trustedCertificates(options.ca) }) : undefined;
  }

  /** The agent for a request to `url`: the same one for every request to its origin. */
  agentFor(url: URL): Promise<Agent> {
    let route = this.#routes.get(url.origin);
    if (!route) {
      route = this.#route(url);
      this.#routes.set(url.origin, route);
      // A resolver that failed is asked again next time.
      route.catch(() => this.#routes.delete(url.origin));
    }
    return route;
  }

  async #route(url: URL): Promise<Agent> {
    const proxy = (await (this.#options.proxy ?? environmentProxy)(url.href)) || undefined;
    const secure = url.protocol === 'https:';
    const name = `${secure ? 'https' : 'http'} ${proxy ?? 'direct'}`;
    let agent = this.#agents.get(name);
    if (!agent) {
      agent = proxy ? await this.#createProxied(secure, proxy) : this.#create(secure);
      // Two first requests may have raced through the proxy module's loading: the first agent stays.
      agent = this.#agents.get(name) ?? agent;
      this.#agents.set(name, agent);
    }
    return agent;
  }

  /** An agent through `proxy`; the proxy agents' code is loaded only by a run that uses a proxy. */
  async #createProxied(secure: boolean, proxy: string): Promise<Agent> {
    // The proxy's password, if its URL holds one, never goes into a message.
    const shown = redactUrlCredentials(proxy);
    let parsed: URL;
    try {
      parsed = new URL(proxy);
    } catch {
      throw new TypeError(`Expected the proxy to be an http(s) URL, got \`${shown}\``);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new TypeError(`Expected the proxy to be an http(s) URL, got \`${shown}\``);
    const { proxyAgent } = await import('./proxy-agents');
    return proxyAgent(secure, parsed, this.#agentOptions, this.#trust);
  }

  #create(secure: boolean): Agent {
    const options = this.#agentOptions;
    return secure
      ? new HttpsAgent({ ...options, ...(this.#trust ? { secureContext: this.#trust } : {}) })
      : new HttpAgent(options);
  }

  /** Closes every idle connection; requests after this open new ones. */
  destroy(): void {
    for (const agent of this.#agents.values()) agent.destroy();
    this.#agents.clear();
    this.#routes.clear();
  }
}
