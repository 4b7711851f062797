import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors';
import { PRIVATE_FILE_MODE } from '../private-files';

/** A batch's lock file, held while this process uploads the batch. */
export interface BatchLock {
  /** Removes the lock file, if this process still holds it. */
  release(): void;
}

const running = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const holderOf = (file: string): number => {
  try {
    return Number.parseInt(readFileSync(file, 'utf8'), 10);
  } catch {
    return Number.NaN;
  }
};

/**
 * Takes `<batchId>.lock` under `dir` for this process, so two runs never upload one batch at once. A
 * lock left by a process that has ended (a crash, kill -9) is taken over. Throws `batch-in-use` naming
 * the pid when a running process holds it; returns undefined when no lock can be written there (a
 * read-only or full disk), where the journal reports its own problem and uploads go on.
 */
export function lockBatch(dir: string, batchId: string): BatchLock | undefined {
  const file = join(dir, `${batchId}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    const taken = create(file);
    if (taken !== 'exists') return taken;
    const holder = holderOf(file);
    if (holder !== process.pid && holder > 0 && running(holder)) {
      throw errors.batchInUse(
        `Batch \`${batchId}\` is being uploaded by another Hoist process (pid ${holder}); let it finish or stop it first (if no Hoist is running, delete ${file})`,
      );
    }
    // A stale lock. Should another run take it over first, the next attempt finds that run's lock.
    rmSync(file, { force: true });
  }
  return undefined;
}

/** Creates the lock file holding this pid; 'exists' when there is one already, undefined when it cannot. */
function create(file: string): BatchLock | 'exists' | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'wx', PRIVATE_FILE_MODE);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists' : undefined;
  }
  try {
    writeSync(fd, String(process.pid));
  } catch {
    closeSync(fd);
    // A full disk: no lock, and no empty file left to look like one.
    rmSync(file, { force: true });
    return undefined;
  }
  closeSync(fd);
  return {
    release: () => {
      if (holderOf(file) === process.pid) rmSync(file, { force: true });
    },
  };
}
