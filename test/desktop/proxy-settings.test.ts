import { describe, expect, it } from 'vitest';
import { proxyResolver } from '../../src/main/desktop/start-engine';
import { proxyFromPac } from '../../src/shared/proxy-settings';

describe('the system proxy, as Chromium answers for a URL', () => {
  it.each([
    ['DIRECT', undefined],
    ['PROXY proxy.corp:3128', 'http://proxy.corp:3128'],
    ['PROXY proxy.corp:3128; DIRECT', 'http://proxy.corp:3128'],
    ['HTTPS secure.corp:443', 'https://secure.corp:443'],
    ['SOCKS5 socks.corp:1080; PROXY proxy.corp:8080', 'http://proxy.corp:8080'],
    ['', undefined],
  ])('%j is %s', (answer, proxy) => {
    expect(proxyFromPac(answer)).toBe(proxy);
  });

  it('names an answer with only SOCKS proxies, which Hoist cannot use', () => {
    expect(() => proxyFromPac('SOCKS5 socks.corp:1080')).toThrow(
      'Expected the system proxy to be an HTTP proxy or DIRECT, got `SOCKS5 socks.corp:1080`',
    );
  });
});

describe('the desktop proxy setting', () => {
  const lookups: string[] = [];
  const system = async (url: string) => {
    lookups.push(url);
    return url.includes('signer') ? 'PROXY proxy.corp:3128' : 'DIRECT';
  };

  it('system: asks the system for each URL', async () => {
    const resolve = proxyResolver({ mode: 'system' }, system);
    expect(await resolve('https://signer.example.com/v1/policy')).toBe('http://proxy.corp:3128');
    expect(await resolve('https://s3.example.com/bucket/key')).toBeUndefined();
    expect(lookups).toEqual(['https://signer.example.com/v1/policy', 'https://s3.example.com/bucket/key']);
  });

  it('manual: the proxy given, except for the hosts listed', async () => {
    const resolve = proxyResolver({ mode: 'manual', url: 'http://proxy.corp:3128', noProxy: '.internal' }, system);
    expect(await resolve('https://s3.example.com/b')).toBe('http://proxy.corp:3128');
    expect(await resolve('https://signer.internal/v1/policy')).toBeUndefined();
  });

  it('none: always straight', async () => {
    expect(await proxyResolver({ mode: 'none' }, system)('https://s3.example.com/b')).toBeUndefined();
  });
});
