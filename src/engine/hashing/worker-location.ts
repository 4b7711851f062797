import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** How to start a worker thread: a file to run, or (from sources) a line of CommonJS to evaluate. */
export type WorkerStart = { file: URL; eval: false } | { source: string; eval: true };

/**
 * The hash worker: `hash-worker.mjs` beside the running bundle (the CLI and the desktop app build it
 * there), or, when Hoist runs from its TypeScript sources (tests, `tsx`), `hash-worker.ts` beside this
 * file, loaded through tsx's require hook.
 */
export function hashWorkerStart(): WorkerStart {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { file: new URL('./hash-worker.mjs', here), eval: false };
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL('./hash-worker.ts', here));
  return { source: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, eval: true };
}
