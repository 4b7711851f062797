import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { scanFolder, warmScan } from '../../src/engine/pipeline/scan';
import type { FromScanWorker } from '../../src/engine/pipeline/scan-messages';
import { makeFolder } from '../helpers/folders';

// A file of its own: the scan threads kept idle are per process, and this test starts with none.

describe('warmScan', () => {
  it('starts one scan thread ahead, and the next scan walks on it, sending a small first chunk', async () => {
    const started: Worker[] = [];
    const onWorker = (worker: Worker) => started.push(worker);
    process.on('worker', onWorker);
    try {
      warmScan();
      warmScan();
      // Node tells of a new thread on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toHaveLength(1);
      const chunks: number[] = [];
      started[0]!.on('message', (message: FromScanWorker) => {
        if (message.t === 'entries') chunks.push(message.entries.length);
      });
      const files = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`f${i}.txt`, 'f']));
      const root = await makeFolder({ ...files, 'sub/b.txt': 'b' });
      const paths: string[] = [];
      for await (const entry of scanFolder(root)) paths.push(entry.path);
      expect(paths.sort()).toEqual([...Object.keys(files), 'sub/b.txt'].sort());
      expect(started).toHaveLength(1);
      // The batch has its first files to hash and sign after 32 entries at most (fewer if the walk stalls).
      expect(chunks[0]).toBeLessThanOrEqual(32);
      expect(chunks.reduce((a, b) => a + b)).toBe(101);
    } finally {
      process.off('worker', onWorker);
    }
  });
});
