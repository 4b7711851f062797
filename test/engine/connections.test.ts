import { HttpsProxyAgent } from 'https-proxy-agent';
import { HttpProxyAgent } from 'http-proxy-agent';
import { afterEach, describe, expect, it } from 'vitest';
import { bypassesProxy, Connections, manualProxy } from '../../src/engine/transfer/connections';

const open: Connections[] = [];
const connections = (...args: ConstructorParameters<typeof Connections>): Connections => {
  const made = new Connections(...args);
  open.push(made);
  return made;
};
afterEach(() => {
  for (const c of open.splice(0)) c.destroy();
});

describe('bypassesProxy (NO_PROXY rules)', () => {
  it.each([
    ['https://s3.example.com/b', 's3.example.com', true],
    ['https://s3.example.com/b', '.example.com', true],
    ['https://s3.example.com/b', '*.example.com', true],
    ['https://example.com/b', '.example.com', true],
    ['https://badexample.com/b', '.example.com', false],
    ['https://s3.example.com/b', 'example.com', false],
    ['https://s3.example.com:8443/b', 's3.example.com:443', false],
    ['https://s3.example.com/b', 's3.example.com:443', true],
    ['http://127.0.0.1:9000/b', 'localhost, 127.0.0.1', true],
    ['http://10.0.0.1/b', '*', true],
    ['http://10.0.0.1/b', '', false],
  ])('%s with %j: %s', (url, noProxy, expected) => {
    expect(bypassesProxy(new URL(url), noProxy)).toBe(expected);
  });
});

describe('Connections', () => {
  it('asks the resolver once per origin and shares one agent per proxy and scheme', async () => {
    const asked: string[] = [];
    const proxy = manualProxy('http://proxy.internal:3128', 'direct.example.com');
    const pool = connections({
      maxSockets: 32,
      proxy: (url) => {
        asked.push(url);
        return proxy(url);
      },
    });
    const a = await pool.agentFor(new URL('https://s3.example.com/bucket/a'));
    const b = await pool.agentFor(new URL('https://s3.example.com/bucket/b'));
    const c = await pool.agentFor(new URL('https://signer.example.com/v1/batches'));
    const plain = await pool.agentFor(new URL('http://s3.example.com/bucket/a'));
    const direct = await pool.agentFor(new URL('https://direct.example.com/x'));
    expect(a).toBe(b);
    expect(a).toBe(c);
    expect(a).toBeInstanceOf(HttpsProxyAgent);
    expect(plain).toBeInstanceOf(HttpProxyAgent);
    expect(direct).not.toBeInstanceOf(HttpsProxyAgent);
    expect(direct.maxSockets).toBe(32);
    expect(asked).toEqual([
      'https://s3.example.com/bucket/a',
      'https://signer.example.com/v1/batches',
      'http://s3.example.com/bucket/a',
      'https://direct.example.com/x',
    ]);
  });

  it('names a proxy setting that is not an http(s) URL', async () => {
    const pool = connections({ maxSockets: 4, proxy: () => 'socks5://127.0.0.1:1080' });
    await expect(pool.agentFor(new URL('https://s3.example.com/'))).rejects.toThrow(
      'Expected the proxy to be an http(s) URL, got `socks5://127.0.0.1:1080`',
    );
  });

  it("never names a proxy's password in an error (N8)", async () => {
    const pool = connections({ maxSockets: 4, proxy: () => 'socks5://ana:s3cret-pw@127.0.0.1:1080' });
    const error = await pool.agentFor(new URL('https://s3.example.com/')).catch((e: Error) => e);
    expect(String(error)).toContain('socks5://***@127.0.0.1:1080');
    expect(String(error)).not.toContain('s3cret-pw');
  });
});
