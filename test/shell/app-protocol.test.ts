import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp';

let handler: ((request: { url: string }) => Promise<Response>) | undefined;
const privileged: unknown[] = [];
vi.mock('electron', () => ({
  protocol: {
    handle: (_scheme: string, fn: typeof handler) => (handler = fn),
    registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes),
  },
  // net.fetch of a file URL, done with Node's fs for the test.
  net: {
    fetch: async (url: string) => {
      const { readFile } = await import('node:fs/promises');
      return new Response(await readFile(new URL(url)), { headers: { 'content-type': 'text/html' } });
    },
  },
}));

const { resolveAppAsset, registerAppScheme, serveApp } = await import('../../src/main/app-protocol');

describe('the app:// protocol', () => {
  it.each([
    ['app://hoist/index.html', '/r/index.html'],
    ['app://hoist/', '/r/index.html'],
    ['app://hoist/assets/index-abc.js', '/r/assets/index-abc.js'],
  ])('maps %s into the renderer folder', (url, file) => {
    expect(resolveAppAsset('/r', url)).toBe(file);
  });

  it.each(['app://hoist/../../etc/passwd', 'app://hoist/%2e%2e/%2e%2e/etc/passwd', 'app://hoist/a/../../../x'])(
    'keeps %s inside the renderer folder',
    (url) => {
      const file = resolveAppAsset('/r', url);
      expect(file === undefined || file.startsWith('/r/')).toBe(true);
    },
  );

  it.each([
    'app://hoist/assets/..%2f..%2f..%2fetc/passwd',
    'app://hoist/..%2fsecret',
    'app://hoist/a%00.js',
    'app://other/index.html',
    'https://hoist/index.html',
    'app://hoist/%E0%A4%A',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppAsset('/r', url)).toBeUndefined();
  });

  it('is registered as secure and standard, and serves files with the CSP header', async () => {
    registerAppScheme();
    expect(privileged).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true } }]);
    const root = await mkdtemp(join(tmpdir(), 'hoist-renderer-'));
    await writeFile(join(root, 'index.html'), '<p>hi</p>');
    serveApp(root);
    const ok = await handler!({ url: 'app://hoist/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await ok.text()).toBe('<p>hi</p>');
    expect((await handler!({ url: 'app://hoist/missing.js' })).status).toBe(404);
    expect((await handler!({ url: 'app://hoist/..%2fsecret' })).status).toBe(404);
  });
});
