import {
  formatBytes,
  normaliseDestination,
  renamedPath,
  resolveFolder,
  splitExtension,
  tooLargeMessage,
} from '@hoist/protocol';
import { describe, expect, it } from 'vitest';

describe('destination rules', () => {
  it('normalises a destination under the path rules, one trailing slash allowed', () => {
    expect(normaliseDestination('clients/acme/2026-12/')).toEqual({ destination: 'clients/acme/2026-12' });
    expect(normaliseDestination('clients\\acme')).toEqual({ destination: 'clients/acme' });
    for (const bad of ['../bob', '/abs', 'a//b', 'a/../../b', '', 'CON']) {
      expect(normaliseDestination(bad)).toMatchObject({ code: 'invalid-destination' });
    }
    expect(normaliseDestination('../bob')).toMatchObject({ message: expect.stringContaining('"../bob"') });
  });

  it('uses the batch folder without a destination, unless the caller is restricted', () => {
    expect(resolveFolder('shoot-1', undefined, undefined)).toEqual({ folder: 'shoot-1' });
    expect(resolveFolder('shoot-1', undefined, ['clients'])).toMatchObject({
      code: 'destination-required',
      message: 'Name a destination: you may upload only into `clients`',
    });
  });

  it('keeps a restricted caller inside the allowed folders, by whole segments', () => {
    expect(resolveFolder('b', 'clients/acme', ['clients'])).toEqual({ folder: 'clients/acme' });
    expect(resolveFolder('b', 'clients', ['clients'])).toEqual({ folder: 'clients' });
    expect(resolveFolder('b', 'clientsX/acme', ['clients'])).toMatchObject({ code: 'destination-not-allowed' });
    expect(resolveFolder('b', 'other', ['clients', 'press'])).toMatchObject({
      message: 'Destination `other` is not one you may upload into; allowed: `clients`, `press`',
    });
  });

  it('names copies as file managers do', () => {
    expect(renamedPath('shoot/a.png', 1)).toBe('shoot/a (1).png');
    expect(renamedPath('a.tar.gz', 2)).toBe('a.tar (2).gz');
    expect(renamedPath('notes', 3)).toBe('notes (3)');
    expect(renamedPath('cfg/.env', 1)).toBe('cfg/.env (1)');
    expect(renamedPath('.env.local', 1)).toBe('.env (1).local');
    expect(splitExtension('dir.v2/readme')).toEqual({ stem: 'dir.v2/readme', extension: '' });
  });
});

describe('sizes for people', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [3_145_728, '3.1 MB'],
    [52_000_000, '52 MB'],
    [10_737_418_240, '11 GB'],
  ])('shows %d bytes as %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it('says how far over the limit a file is, exactly when rounding would hide it', () => {
    expect(tooLargeMessage(3_145_728, 2_097_152)).toBe('File is 3.1 MB; the limit is 2.1 MB');
    expect(tooLargeMessage(2_097_153, 2_097_152)).toBe('File is 2,097,153 bytes; the limit is 2,097,152 bytes');
  });
});
