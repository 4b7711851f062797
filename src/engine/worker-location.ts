import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** How to start a worker thread: a file to run, or (from sources) a line of CommonJS to evaluate. */
export type WorkerStart = { file: URL; eval: false } | { source: string; eval: true };

/** The engine's threads: the file each build puts beside its bundle, and the source it is built from. */
const WORKERS = {
  hash: { built: './hash-worker.mjs', source: './hashing/hash-worker.ts' },
  scan: { built: './scan-worker.mjs', source: './pipeline/scan-worker.ts' },
} as const;

/**
 * One of the engine's threads: its `.mjs` beside the running bundle (the CLI and the desktop app build
 * it there), or, when Hoist runs from its TypeScript sources (tests, `tsx`), its `.ts` source, loaded
 * through tsx's require hook.
 */
export function workerStart(name: keyof typeof WORKERS): WorkerStart {
  const here = import.meta.url;
  const { built, source } = WORKERS[name];
  if (!here.endsWith('.ts')) return { file: new URL(built, here), eval: false };
  const tsx = createRequire(here).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL(source, here));
  return { source: `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`, eval: true };
}
