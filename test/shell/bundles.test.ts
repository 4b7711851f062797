import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FromWorker } from '../../src/engine/hashing/hash-messages';

// The engine starts its hash threads from `hash-worker.mjs` beside the code that names it (see
// worker-location.ts), so each build must put the worker there, and the built worker must hash.
const BUNDLES = ['out/cli', 'out/main'];

beforeAll(() => {
  if (BUNDLES.some((dir) => !existsSync(join(dir, 'hash-worker.mjs')))) {
    execFileSync('npm', ['run', 'build'], { stdio: 'ignore' });
  }
}, 120_000);

describe.each(BUNDLES)('the build in %s', (dir) => {
  it('holds hash-worker.mjs beside every file that names it', () => {
    const naming = readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((file) => /\.m?js$/u.test(file) && !file.endsWith('hash-worker.mjs'))
      .filter((file) => readFileSync(join(dir, file), 'utf8').includes('hash-worker.mjs'));
    expect(naming.length).toBeGreaterThan(0);
    for (const file of naming) expect(existsSync(resolve(dir, file, '..', 'hash-worker.mjs')), file).toBe(true);
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
