import { startHashThread } from './hashing/hash-pool';
import { warmScan } from './pipeline/scan';

/**
 * Starts the engine's scan thread, and its hash thread unless `hashes` is false, before the engine
 * exists: a thread takes tens of milliseconds to start, which then overlap the loading of the rest of
 * the program. The engine takes them up as its own; unused, they keep nothing alive.
 */
export function startThreadsAhead({ hashes }: { hashes: boolean }): void {
  warmScan();
  if (hashes) startHashThread();
}
