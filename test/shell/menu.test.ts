import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({ Menu: {} }));
const { menuTemplate } = await import('../../src/main/menu');

const roles = (template: unknown): string[] => JSON.stringify(template).match(/"role":"[A-Za-z]+"/gu) ?? [];

describe('the application menu', () => {
  it.each(['linux', 'win32', 'darwin'] as const)('has no DevTools item in a packaged build on %s', (platform) => {
    const packaged = roles(menuTemplate(true, platform));
    expect(packaged).toContain('"role":"editMenu"');
    expect(packaged).not.toContain('"role":"toggleDevTools"');
    expect(packaged).not.toContain('"role":"reload"');
    expect(roles(menuTemplate(false, platform))).toContain('"role":"toggleDevTools"');
  });
});
