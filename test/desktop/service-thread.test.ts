import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  startServiceThread,
  type ServiceThread,
  type ServiceThreadOptions,
} from '../../src/main/desktop/service-thread';
import type { BatchView, DesktopUpdate } from '../../src/shared/desktop';
import { makeFolder } from '../helpers/folders';
import { sealingKeychain } from '../helpers/keychains';
import { settingsInput } from '../helpers/settings-input';

// The desktop's service on a thread of its own, driven from this (the main) thread as the Electron shell
// drives it: its calls and events cross between the threads, the keychain and the system's proxy are
// asked of this thread, and a thread that dies is started again with its batches resumable. Uploads go to
// the embedded signer and store (s3rver), which the service thread starts when no signer is set.

const threads: ServiceThread[] = [];
afterAll(() => Promise.all(threads.map((thread) => thread.close())));

function start(dir: string, onThread?: (worker: Worker) => void, secretBox = sealingKeychain()) {
  const proxyAsked: string[] = [];
  const options: ServiceThreadOptions = {
    settingsFile: join(dir, 'settings.json'),
    stateDir: join(dir, 'state'),
    secretBox,
    resolveProxy: async (url) => {
      proxyAsked.push(url);
      return 'DIRECT';
    },
    openExternal: async () => undefined,
    ...(onThread ? { onThread } : {}),
  };
  const thread = startServiceThread(options);
  threads.push(thread);
  return { thread, proxyAsked };
}

/** The first update in which `test` holds for the batch `batchId`. */
function until(thread: ServiceThread, batchId: string, test: (view: BatchView, update: DesktopUpdate) => boolean) {
  return new Promise<{ view: BatchView; update: DesktopUpdate }>((resolve) => {
    const check = (update: DesktopUpdate) => {
      const view = update.batches.find((b) => b.batchId === batchId);
      if (view && test(view, update)) {
        thread.off('update', check);
        resolve({ view, update });
      }
    };
    thread.on('update', check);
  });
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the service thread', () => {
  it('seals the token with the main thread’s keychain, asks it for the proxy, and carries errors back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-thread-'));
    const { thread, proxyAsked } = start(dir);
    const signerUrl = `http://127.0.0.1:${await closedPort()}`;
    const saved = await thread.saveSettings(settingsInput({ signerUrl, token: 'secret-token-1' }));
    expect(saved).toMatchObject({ signerUrl, hasToken: true, tokenStorage: 'encrypted' });
    expect(thread.signerUrl).toBe(signerUrl);
    // Sealed on the main thread (the service thread has no keychain): on disk only as the keychain sealed it.
    const file = await readFile(join(dir, 'settings.json'), 'utf8');
    expect(file).not.toContain('secret-token-1');
    const sealed = sealingKeychain().encryptString('secret-token-1').toString('base64');
    expect(JSON.parse(file)).toMatchObject({ tokenEncrypted: sealed });
    // A new thread opens it through the main thread's keychain again.
    const again = start(dir).thread;
    expect(await again.settings()).toMatchObject({ signerUrl, hasToken: true, tokenStorage: 'encrypted' });

    // The signer is reached as the system's proxy settings say: asked of the main thread, for the signer's URL.
    await expect(thread.account()).rejects.toThrow(/ECONNREFUSED|connect|reach/u);
    expect(proxyAsked.some((url) => url.startsWith(signerUrl))).toBe(true);
    await expect(thread.control({ batchId: 'nope', action: 'start' })).rejects.toThrow('No batch `nope`');
  });

  it('shows why when the main thread’s keychain cannot open the saved settings', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-thread-'));
    const sealed = sealingKeychain().encryptString('secret-token-2').toString('base64');
    await writeFile(join(dir, 'settings.json'), JSON.stringify({ ...settingsInput(), tokenEncrypted: sealed }));
    const locked = {
      ...sealingKeychain(),
      decryptString: () => {
        throw new Error('The keychain is locked');
      },
    };
    const { thread } = start(dir, undefined, locked);
    const warned = new Promise<string[]>((resolve) => thread.on('update', (update) => resolve(update.warnings)));
    expect(await thread.settings()).toMatchObject({ hasToken: false });
    expect((await warned).join('\n')).toContain('could not be read (The keychain is locked)');
  });

  it('starts again when the thread dies mid-upload, and the batch resumes to its last file', async () => {
    const files = 400;
    const folder = await makeFolder(Object.fromEntries(Array.from({ length: files }, (_, i) => [`f${i}.txt`, `${i}`])));
    const workers: Worker[] = [];
    const { thread } = start(await mkdtemp(join(tmpdir(), 'hoist-thread-')), (worker) => workers.push(worker));
    const [batchId] = await thread.addBatches([folder]);
    await until(thread, batchId!, (view) => view.phase === 'ready');
    await thread.control({ batchId: batchId!, action: 'start' });
    await until(thread, batchId!, (view) => (view.progress?.files.uploaded ?? 0) > 0);
    expect(thread.busy()).toBe(true);

    // A call in flight when the thread dies fails, naming why; the thread comes back once.
    const inFlight = thread.account();
    await workers[0]!.terminate();
    await expect(inFlight).rejects.toThrow('The upload service stopped');
    const { view, update } = await until(thread, batchId!, (v) => v.phase === 'interrupted');
    expect(workers).toHaveLength(2);
    expect(update.warnings.join('\n')).toContain('started again');
    expect(view.progress?.files.uploaded ?? 0).toBeLessThan(files);
    expect(thread.busy()).toBe(false);

    await thread.control({ batchId: batchId!, action: 'resume' });
    const done = await until(thread, batchId!, (v) => v.phase === 'done');
    expect(done.view.progress!.files).toMatchObject({ total: files, failed: 0 });
    expect(done.view.progress!.files.uploaded + done.view.progress!.files.skipped).toBe(files);
  });

  it('gives up after three restarts: the window is told, uploads show interrupted, and calls fail at once', async () => {
    const folder = await makeFolder(Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`f${i}.txt`, `${i}`])));
    const workers: Worker[] = [];
    const { thread } = start(await mkdtemp(join(tmpdir(), 'hoist-thread-')), (worker) => workers.push(worker));
    let last: DesktopUpdate | undefined;
    thread.on('update', (update) => (last = update));
    for (let killed = 0; killed < 3; killed++) {
      await thread.settings();
      await workers[killed]!.terminate();
      await vi.waitFor(() => expect(workers).toHaveLength(killed + 2));
    }
    // The fourth thread dies mid-upload, and none follows it.
    const [batchId] = await thread.addBatches([folder]);
    await until(thread, batchId!, (view) => view.phase === 'ready');
    await thread.control({ batchId: batchId!, action: 'start' });
    await until(thread, batchId!, (view) => (view.progress?.files.uploaded ?? 0) > 0);
    await workers[3]!.terminate();
    await vi.waitFor(() => expect(last?.warnings.at(-1)).toMatch(/and was not started again: quit Hoist/u));
    expect(workers).toHaveLength(4);
    expect(last!.batches.find((b) => b.batchId === batchId)?.phase).toBe('interrupted');
    await expect(thread.settings()).rejects.toThrow('The upload service stopped: it exited with code 1');
    await thread.close();
    await expect(thread.listFiles({ batchId: 'b', filter: 'all', offset: 0, limit: 1 })).rejects.toThrow('stopped');
  });
});
