import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { scanFolder, warmScan } from '../../src/engine/pipeline/scan';
import { makeFolder } from '../helpers/folders';

// A file of its own: the scan threads kept idle are per process, and this test starts with none.

describe('warmScan', () => {
  it('starts one scan thread ahead, and the next scan walks on it', async () => {
    const started: Worker[] = [];
    const onWorker = (worker: Worker) => started.push(worker);
    process.on('worker', onWorker);
    try {
      warmScan();
      warmScan();
      // Node tells of a new thread on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
      expect(started).toHaveLength(1);
      const root = await makeFolder({ 'a.txt': 'a', 'sub/b.txt': 'b' });
      const paths: string[] = [];
      for await (const entry of scanFolder(root)) paths.push(entry.path);
      expect(paths.sort()).toEqual(['a.txt', 'sub/b.txt']);
      expect(started).toHaveLength(1);
    } finally {
      process.off('worker', onWorker);
    }
  });
});
