import { beforeEach, describe, expect, it, vi } from 'vitest';

// Electron cannot run here: the shell is tested against a recording mock of the few APIs it uses.
const created: {
  options: any;
  handlers: Record<string, (...args: any[]) => void>;
  openHandler?: (d: { url: string }) => unknown;
}[] = [];
const openExternal = vi.fn(async () => undefined);

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: any;
    constructor(options: any) {
      const record: (typeof created)[number] = { options, handlers: {} };
      created.push(record);
      this.webContents = {
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (record.openHandler = fn),
        on: (event: string, fn: (...args: any[]) => void) => (record.handlers[event] = fn),
      };
    }
    once(): void {}
  }
  return { BrowserWindow, shell: { openExternal }, protocol: {}, net: {} };
});

const { createMainWindow, hardenSession, isExternalLink } = await import('../../src/main/window');

beforeEach(() => {
  created.length = 0;
  openExternal.mockClear();
});

describe('the main window', () => {
  it('is isolated, sandboxed and has no Node integration', () => {
    createMainWindow('/app/preload.cjs', () => []);
    expect(created[0]!.options.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
  });

  it('blocks navigation and redirects away from the app, and webviews', () => {
    createMainWindow('/p', () => []);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const preventDefault = vi.fn();
      created[0]!.handlers[event]!({ preventDefault, url: 'https://evil.example/' });
      expect(preventDefault).toHaveBeenCalled();
    }
    for (const url of ['app://hoist.evil.example/', 'app://evil/hoist/', 'file:///app/index.html']) {
      const preventDefault = vi.fn();
      created[0]!.handlers['will-navigate']!({ preventDefault, url });
      expect(preventDefault).toHaveBeenCalled();
    }
    for (const event of ['will-navigate', 'will-redirect']) {
      const preventDefault = vi.fn();
      created[0]!.handlers[event]!({ preventDefault, url: 'app://hoist/index.html' });
      expect(preventDefault).not.toHaveBeenCalled();
    }
  });

  it('refuses every permission request and check', () => {
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    hardenSession({
      setPermissionRequestHandler: (fn: typeof request) => (request = fn),
      setPermissionCheckHandler: (fn: typeof check) => (check = fn),
    } as any);
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      const answer = vi.fn();
      request!({}, permission, answer);
      expect(answer).toHaveBeenCalledWith(false);
    }
    expect(check!()).toBe(false);
  });

  it('denies new windows and opens only https links to an allowed origin in the system browser', () => {
    createMainWindow('/p', () => ['https://example.com']);
    const handler = created[0]!.openHandler!;
    expect(handler({ url: 'https://example.com/doc' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledWith('https://example.com/doc');
    expect(handler({ url: 'https://evil.example/phish' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://example.com.evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(openExternal).toHaveBeenCalledTimes(1);
    expect(isExternalLink('http://example.com', ['http://example.com'])).toBe(false);
  });
});
