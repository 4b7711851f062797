import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../src/shared/ipc-channels';

// The built preload runs in Electron's sandbox, whose `require` serves only Electron's renderer modules
// and a few polyfilled built-ins; anything else (an npm package left external by the bundler) throws
// and leaves the page without `window.hoist`. So the production build is run here under that rule.
const PRELOAD = resolve('out/preload/index.cjs');
const SANDBOX_MODULES = new Set(['electron', 'events', 'timers', 'url']);

function newestIn(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestIn(join(dir, entry.name)) : statSync(join(dir, entry.name)).mtimeMs,
    ),
  );
}

function builtPreload(): string {
  const fresh = (() => {
    try {
      return statSync(PRELOAD).mtimeMs > Math.max(newestIn('src/preload'), newestIn('src/shared'));
    } catch {
      return false;
    }
  })();
  if (!fresh) execFileSync('./node_modules/.bin/electron-vite', ['build'], { stdio: 'ignore' });
  return readFileSync(PRELOAD, 'utf8');
}

/** Runs the built preload as Electron's sandbox would; returns what it exposed and which modules it asked for. */
function runSandboxed(source: string) {
  const exposed = new Map<string, any>();
  const invoke = vi.fn(async () => undefined);
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: unknown) => exposed.set(name, api) },
    ipcRenderer: { invoke, on: vi.fn(), off: vi.fn() },
    webUtils: { getPathForFile: () => '/picked/file' },
  };
  const required: string[] = [];
  const sandboxRequire = (id: string): unknown => {
    required.push(id);
    if (!SANDBOX_MODULES.has(id)) throw new Error(`module not found: ${id}`);
    return id === 'electron' ? electron : {};
  };
  const module = { exports: {} };
  runInNewContext(source, { require: sandboxRequire, module, exports: module.exports });
  return { exposed, invoke, required };
}

describe('the built preload', () => {
  let source: string;
  beforeAll(() => {
    source = builtPreload();
  }, 120_000);

  it('requires nothing the sandbox lacks, and exposes the typed API as window.hoist', async () => {
    const { exposed, invoke, required } = runSandboxed(source);
    expect(required.filter((id) => !SANDBOX_MODULES.has(id))).toEqual([]);
    const api = exposed.get('hoist');
    expect(Object.keys(api).sort()).toEqual(
      [
        'addBatches',
        'addDropped',
        'configureBatch',
        'control',
        'controlFile',
        'copyLink',
        'copyPlace',
        'copyDetails',
        'checkSigner',
        'getSettings',
        'listFiles',
        'onUpdate',
        'openReport',
        'openPlace',
        'pickCaFile',
        'pickFiles',
        'pickFolders',
        'saveSettings',
        'signIn',
        'signOut',
      ].sort(),
    );
    await api.control({ batchId: 'b1', action: 'pause' });
    expect(invoke).toHaveBeenCalledWith(IPC.control, { batchId: 'b1', action: 'pause' });
  });
});
