import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import * as mimeTypes from 'mime-types';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker } from '../../src/engine/hashing/hash-messages';
import type { FromScanWorker, ToScanWorker } from '../../src/engine/pipeline/scan-messages';
import { newSecretBoxFlag, serveSecretBox } from '../../src/main/desktop/secret-box-channel';
import type { FromService, ToService } from '../../src/main/desktop/service-calls';
import type { ServiceThreadData } from '../../src/main/desktop/service-worker';
import { noKeychain } from '../helpers/keychains';

// The engine starts its hash and scan threads from `hash-worker.mjs` and `scan-worker.mjs` beside the
// code that names them (see worker-location.ts), so each build must put them there, and they must work.
const BUNDLES = ['out/cli', 'out/main'];
const WORKERS = ['hash-worker.mjs', 'scan-worker.mjs'];

/** The desktop's service thread, started by the main process's bundle (service-thread.ts). */
const SERVICE_WORKER = 'out/main/service-worker.mjs';

beforeAll(() => {
  if (!existsSync(SERVICE_WORKER) || BUNDLES.some((dir) => WORKERS.some((worker) => !existsSync(join(dir, worker))))) {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  }
}, 120_000);

/** `file` and every chunk it imports, relative to it, in the build. */
function importedFrom(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const [, chunk] of readFileSync(file, 'utf8').matchAll(/from "(\.\/[^"]+)"/gu)) {
    importedFrom(resolve(file, '..', chunk!), seen);
  }
  return seen;
}

describe('the desktop build', () => {
  it('holds the service thread beside the main bundle that starts it, and the thread loads no Electron', () => {
    expect(readFileSync('out/main/index.js', 'utf8')).toContain('service-worker.mjs');
    const loaded = [...importedFrom(SERVICE_WORKER)];
    expect(loaded.length).toBeGreaterThan(1);
    for (const file of loaded)
      expect(readFileSync(file, 'utf8'), file).not.toMatch(/from "electron"|require\("electron"\)/u);
    expect(readFileSync('out/main/index.js', 'utf8')).toMatch(/from "electron"/u);
  });

  it('runs the service thread, which answers a call', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hoist-bundle-'));
    const keychain = new MessageChannel();
    const flag = newSecretBoxFlag();
    serveSecretBox(keychain.port1, flag, noKeychain);
    const workerData: ServiceThreadData = {
      settingsFile: join(dir, 'settings.json'),
      stateDir: join(dir, 'state'),
      keychainPort: keychain.port2,
      keychainFlag: flag,
    };
    const worker = new Worker(resolve(SERVICE_WORKER), { workerData, transferList: [keychain.port2] });
    const answers: FromService[] = [];
    await new Promise<void>((done, fail) => {
      worker.on('error', fail);
      worker.on('message', (message: FromService) => {
        if (message.kind === 'answer' && answers.push(message) === 2) done();
      });
      worker.postMessage({ kind: 'call', id: 1, name: 'settings', args: [] } satisfies ToService);
      // A method of the service that is not one of its calls is refused, naming it.
      worker.postMessage({ kind: 'call', id: 2, name: 'close' as 'settings', args: [] } satisfies ToService);
    });
    await worker.terminate();
    keychain.port1.close();
    expect(answers).toMatchObject([
      { kind: 'answer', id: 1, value: { signerUrl: '', hasToken: false } },
      { kind: 'answer', id: 2, error: { message: "Expected one of the service's calls, got `close`" } },
    ]);
  });
});

describe.each(BUNDLES)('the build in %s', (dir) => {
  it.each(WORKERS)('holds %s beside every file that names it', (worker) => {
    const naming = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.m?js$/u.test(file) && !file.endsWith(worker))
      .filter((file) => readFileSync(join(dir, file), 'utf8').includes(worker));
    expect(naming.length).toBeGreaterThan(0);
    for (const file of naming) expect(existsSync(resolve(dir, file, '..', worker)), file).toBe(true);
  });

  it('runs a scan thread that walks a folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hoist-bundle-'));
    await writeFile(join(root, 'a.txt'), 'abc');
    const worker = new Worker(resolve(dir, 'scan-worker.mjs'));
    const messages: FromScanWorker[] = [];
    await new Promise<void>((done, fail) => {
      worker.on('error', fail);
      worker.on('message', (message: FromScanWorker) => {
        messages.push(message);
        if (message.t !== 'entries') done();
      });
      worker.postMessage({ t: 'scan', root, ignore: [], options: {} } satisfies ToScanWorker);
    });
    await worker.terminate();
    expect(messages).toEqual([
      {
        t: 'entries',
        entries: [
          { kind: 'file', path: 'a.txt', absolutePath: join(root, 'a.txt'), size: 3, mtimeMs: expect.any(Number) },
        ],
      },
      { t: 'end' },
    ]);
  });

  it('runs a worker that hashes a file in parts', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hoist-bundle-')), 'f.bin');
    const bytes = Buffer.from('0123456789'.repeat(100));
    await writeFile(file, bytes);
    const worker = new Worker(resolve(dir, 'hash-worker.mjs'));
    const messages: FromWorker[] = [];
    await new Promise<void>((done, fail) => {
      worker.on('error', fail);
      worker.on('message', (message: FromWorker) => {
        messages.push(message);
        if ('end' in message || 'error' in message) done();
      });
      worker.postMessage({ id: 1, path: file, size: bytes.length, partSize: 600 });
    });
    await worker.terminate();
    const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
    expect(messages.filter((m) => 'n' in m)).toEqual([
      { id: 1, n: 1, digest: md5(bytes.subarray(0, 600)) },
      { id: 1, n: 2, digest: md5(bytes.subarray(600)) },
    ]);
    expect(messages.at(-1)).toEqual({ id: 1, end: true, whole: md5(bytes) });
  });
});

describe('the CLI bundle', () => {
  it('starts without loading undici, which an ES import of node:http costs (nodejs/node#59686)', () => {
    const report = `process.on('exit', () => process.stderr.write(JSON.stringify(process.moduleLoadList)))`;
    const { stderr, status } = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(report)}`, 'out/cli/hoist.mjs', '--version'],
      { encoding: 'utf8' },
    );
    expect(status).toBe(0);
    const loaded = JSON.parse(stderr) as string[];
    expect(loaded).toContain('NativeModule http');
    expect(loaded.filter((name) => name.includes('undici'))).toEqual([]);
  });

  it('starts no hash thread for a dry run, however the flag is spelled', async () => {
    const root = await mkdtemp(join(tmpdir(), 'hoist-dry-threads-'));
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-dry-threads-state-'));
    await writeFile(join(root, 'a.txt'), 'a');
    const count = `let n = 0; process.on('worker', () => n++); process.on('exit', () => process.stderr.write('threads ' + n))`;
    for (const flag of ['--dry-run', '-n']) {
      const { stdout, stderr, status } = spawnSync(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(count)}`, 'out/cli/hoist.mjs', 'push', flag, root],
        { encoding: 'utf8', env: { ...process.env, HOIST_STATE_DIR: stateDir } },
      );
      expect(status, stderr).toBe(0);
      expect(stdout).toContain('1 files (1 B, 0 in parts) would upload');
      // The scan thread only: the one started ahead of the CLI's own code, which the scan then takes.
      expect(stderr.match(/threads (\d+)/u)?.[1], flag).toBe('1');
    }
  });

  it('makes no number format (20-28 ms of locale data here) until it draws a line of progress', () => {
    const count =
      'let n = 0; Intl.NumberFormat = new Proxy(Intl.NumberFormat, { construct: (t, a) => (n++, new t(...a)) });' +
      "process.on('exit', () => process.stderr.write('formats ' + n))";
    const { stderr, status } = spawnSync(
      process.execPath,
      ['--import', `data:text/javascript,${encodeURIComponent(count)}`, 'out/cli/hoist.mjs', '--version'],
      { encoding: 'utf8' },
    );
    expect(status, stderr).toBe(0);
    expect(stderr).toBe('formats 0');
  });

  it("takes mime-types' table built with the bundle, not mime-db's types to build it from at each start", () => {
    const chunks = readdirSync('out/cli').filter((name) => name.endsWith('.mjs'));
    const text = chunks.map((name) => readFileSync(join('out/cli', name), 'utf8')).join('');
    // A type mime-db lists with no extension, so only the raw database would hold it.
    expect(text).not.toContain('application/1d-interleaved-parityfec');
    expect(text).toContain('["jpg","image/jpeg"]');
  });

  it("answers every path as mime-types' own lookup does", async () => {
    const script = resolve('scripts/prebuilt-mime-types.mjs');
    const { mimeTypesModuleSource } = (await import(script)) as { mimeTypesModuleSource(): string };
    const dir = await mkdtemp(join(tmpdir(), 'hoist-mime-'));
    await writeFile(join(dir, 'lookup.mjs'), mimeTypesModuleSource());
    const prebuilt = (await import(join(dir, 'lookup.mjs'))) as typeof mimeTypes;
    const paths = Object.keys(mimeTypes.types).flatMap((ext) => [ext, `.${ext}`, `a/b.${ext.toUpperCase()}`]);
    paths.push('', 'README', 'a.', '.bashrc', 'x.constructor', 'x.__proto__', 'dir.d/file', 'photo.tar.gz');
    expect(paths.map((path) => prebuilt.lookup(path))).toEqual(paths.map((path) => mimeTypes.lookup(path)));
  });
});
