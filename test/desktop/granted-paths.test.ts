import { describe, expect, it, vi } from 'vitest';
import { desktopBackend, type NativeSide } from '../../src/main/desktop/backend';
import type { HoistService } from '../../src/main/desktop/hoist-service';

// A page that went wrong can name any path; batches start only from what the person picked or dropped.
function backend() {
  const service = { addBatches: vi.fn((paths: string[]) => paths.map((_, i) => `b${i}`)) };
  const native: NativeSide = {
    pickFolders: async () => ['/home/ana/photos'],
    pickFiles: async () => ['/home/ana/notes.txt'],
    copyText: vi.fn(),
    openPath: vi.fn(async () => undefined),
  };
  return { service, api: desktopBackend(service as unknown as HoistService, native) };
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
