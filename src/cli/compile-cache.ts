import nodeModule from 'node:module';
import { join } from 'node:path';
import envPaths from 'env-paths';

// Node 22.1 and later; on Node 20 a run goes on without the cache.
const { enableCompileCache, getCompileCacheDir }: Partial<typeof nodeModule> = nodeModule;

/**
 * Keeps V8's compiled code of what runs after this call (the CLI, the engine's threads, the embedded
 * stack) in the user's cache folder, or in `NODE_COMPILE_CACHE`, so later runs skip compiling it; a cache
 * that cannot be had, `NODE_DISABLE_COMPILE_CACHE=1` or a Node without one leaves the run as it was.
 */
export function cacheCompiledCode(env: NodeJS.ProcessEnv): void {
  if (!enableCompileCache || !getCompileCacheDir) return;
  // Not os.tmpdir(), Node's default: code read from a folder every user can write to is code they chose.
  enableCompileCache(env.NODE_COMPILE_CACHE ? undefined : join(envPaths('hoist', { suffix: '' }).cache, 'compiled'));
  // Worker threads take the cache from the environment they start with.
  const dir = getCompileCacheDir();
  if (dir) env.NODE_COMPILE_CACHE ??= dir;
}
