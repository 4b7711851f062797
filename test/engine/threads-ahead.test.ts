import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { HashPool } from '../../src/engine/hashing/hash-pool';
import { scanFolder } from '../../src/engine/pipeline/scan';
import { startThreadsAhead } from '../../src/engine/threads-ahead';
import { makeFolder } from '../helpers/folders';

// A file of its own: threads started ahead are per process, and this test starts with none.

describe('startThreadsAhead', () => {
  it('starts the scan thread, and the hash thread when asked, which the first scan and pool then use', async () => {
    const started: Worker[] = [];
    const onWorker = (worker: Worker) => started.push(worker);
    process.on('worker', onWorker);
    // Node tells of a new thread on the next tick.
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    try {
      startThreadsAhead({ hashes: false });
      await tick();
      expect(started).toHaveLength(1);
      startThreadsAhead({ hashes: true });
      startThreadsAhead({ hashes: true });
      await tick();
      expect(started).toHaveLength(2);

      const root = await makeFolder({ 'a.txt': 'a', 'sub/b.txt': 'b' });
      const paths: string[] = [];
      for await (const entry of scanFolder(root)) paths.push(entry.path);
      expect(paths.sort()).toEqual(['a.txt', 'sub/b.txt']);
      const pool = new HashPool();
      const { size, mtimeMs } = await stat(join(root, 'a.txt'));
      const md5 = await pool.hashFile({ absolutePath: join(root, 'a.txt'), size, mtimeMs });
      await pool.close();
      expect(md5.hex).toBe(createHash('md5').update('a').digest('hex'));
      await tick();
      expect(started).toHaveLength(2);
    } finally {
      process.off('worker', onWorker);
    }
  });
});
