import type { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { countFolder, scanFolder } from '../../src/engine/pipeline/scan';
import { DEFAULT_IGNORE } from '../../src/engine/pipeline/scan-entries';
import { makeFolder } from '../helpers/folders';

// A file of its own: the scan threads kept idle are per process, and this test starts with none.

describe('countFolder', () => {
  it('counts on the thread the scan then walks on, beside the walk, and stops early when asked', async () => {
    const tree: Record<string, string> = {};
    for (let f = 0; f < 10; f++) for (let i = 0; i < 300; i++) tree[`d${f}/f${i}.txt`] = 'x'.repeat(f);
    const root = await makeFolder(tree);
    const started: Worker[] = [];
    const onWorker = (worker: Worker) => started.push(worker);
    process.on('worker', onWorker);
    try {
      expect(await countFolder(root, ['d1/'])).toEqual({ files: 2701, bytes: 300 * 44 });
      expect(started).toHaveLength(1);
      const counting = countFolder(root, DEFAULT_IGNORE);
      const paths: string[] = [];
      for await (const entry of scanFolder(root)) paths.push(entry.path);
      expect(await counting).toEqual({ files: 3000, bytes: 300 * 45 });
      expect(paths.sort()).toEqual(Object.keys(tree).sort());
      expect(started).toHaveLength(1);

      const stop = new AbortController();
      stop.abort();
      const stopped = await countFolder(root, DEFAULT_IGNORE, stop.signal);
      expect(stopped.files).toBeGreaterThan(0);
      expect(stopped.files).toBeLessThan(3000);
      expect(started).toHaveLength(1);
    } finally {
      process.off('worker', onWorker);
    }
  });
});
