import { describe, expect, it, vi } from 'vitest';
import { desktopBackend, type NativeSide } from '../../src/main/desktop/backend';
import type { HoistService } from '../../src/main/desktop/hoist-service';

// A page that went wrong can name any path; batches start only from what the person picked or dropped.
function backend(answer = true) {
  const settings = {
    signerUrl: '',
    hasToken: false,
    tokenStorage: 'none' as const,
    signedInWith: null,
    concurrency: 'auto' as const,
    proxy: { mode: 'system' as const },
    caFile: null,
    bandwidthMiBps: null,
    followSymlinks: false,
    autoStart: false,
  };
  const service = {
    addBatches: vi.fn((paths: string[]) => paths.map((_, i) => `b${i}`)),
    settings: () => settings,
    saveSettings: vi.fn(async () => settings),
    placePage: vi.fn((_batchId: string) => 'https://console.example.com/?prefix=users%2Fana%2F'),
  };
  const asked: string[] = [];
  const native: NativeSide = {
    pickFolders: async () => ['/home/ana/photos'],
    pickFiles: async () => ['/home/ana/notes.txt'],
    pickCaFile: async () => '/home/ana/company-ca.pem',
    confirm: async (message) => {
      asked.push(message);
      return answer;
    },
    copyText: vi.fn(),
    openPath: vi.fn(async () => undefined),
    openUrl: vi.fn(async () => undefined),
  };
  return { service, native, asked, settings, api: desktopBackend(service as unknown as HoistService, native) };
}

describe('paths handed to addBatches', () => {
  it('must come from a picker or a drop this session', async () => {
    const { service, api } = backend();
    expect(() => api.addBatches(['/home/ana/.ssh'])).toThrow('Refused `/home/ana/.ssh`');
    expect(await api.pickFolders()).toEqual(['/home/ana/photos']);
    expect(await api.pickFiles()).toEqual(['/home/ana/notes.txt']);
    expect(api.grantDropped(['/media/usb/shoot'])).toEqual(['/media/usb/shoot']);
    expect(api.addBatches(['/home/ana/photos', '/home/ana/notes.txt', '/media/usb/shoot/'])).toEqual([
      'b0',
      'b1',
      'b2',
    ]);
    expect(() => api.addBatches(['/home/ana/photos', '/home/ana/photos/../.ssh'])).toThrow(
      'Refused `/home/ana/photos/../.ssh`',
    );
    expect(service.addBatches).toHaveBeenCalledTimes(1);
  });
});

describe('settings the window asks main to save', () => {
  it('take a CA file only from Browse…, and a new proxy or following symlinks only once the person agrees in main', async () => {
    const { service, api, asked, settings } = backend();
    await expect(api.saveSettings({ ...settings, caFile: '/home/ana/.ssh/id_rsa' })).rejects.toThrow(
      'Refused `/home/ana/.ssh/id_rsa`: pick the CA file with Browse…',
    );
    expect(await api.pickCaFile()).toBe('/home/ana/company-ca.pem');
    await api.saveSettings({ ...settings, caFile: '/home/ana/company-ca.pem' });
    expect(asked).toEqual([]);
    await api.saveSettings({
      ...settings,
      proxy: { mode: 'manual', url: 'http://mallory:pw@proxy.evil.example:8080', noProxy: '' },
      followSymlinks: true,
    });
    expect(asked).toEqual([
      "Send Hoist's connections to the signer and the store through the proxy http://***@proxy.evil.example:8080?",
      'Follow symlinks that lead outside the folders you upload?',
    ]);
    expect(service.saveSettings).toHaveBeenCalledTimes(2);

    const refusing = backend(false);
    await expect(refusing.api.saveSettings({ ...refusing.settings, proxy: { mode: 'none' } })).rejects.toThrow(
      'Settings not saved: the proxy change was not confirmed',
    );
    await expect(refusing.api.saveSettings({ ...refusing.settings, followSymlinks: true })).rejects.toThrow(
      'Settings not saved: following symlinks was not confirmed',
    );
    expect(refusing.service.saveSettings).not.toHaveBeenCalled();
  });
});

describe("the destination's page", () => {
  it('opens in the browser only when it is an https page (http only on loopback)', async () => {
    const { service, native, api } = backend();
    await api.openPlace('b0');
    expect(native.openUrl).toHaveBeenCalledWith('https://console.example.com/?prefix=users%2Fana%2F');
    service.placePage.mockReturnValue('file:///etc/passwd');
    await expect(api.openPlace('b0')).rejects.toThrow('Expected an https page to open, got `file:///etc/passwd`');
    service.placePage.mockReturnValue('http://console.example.com/?prefix=x');
    await expect(api.openPlace('b0')).rejects.toThrow('Expected an https page');
    expect(native.openUrl).toHaveBeenCalledTimes(1);
  });
});
