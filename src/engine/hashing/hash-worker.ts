// The hash pool's worker thread. Hashes one job at a time, in order: opens the file, reports its fstat,
// then reads each part once into one reused buffer, feeding the part's MD5 and the whole file's MD5, and
// posts each part's digest as soon as it is done. A job is checked for cancellation between parts. A
// list of small files is read at once, between two parts if need be: each whole into one shared buffer
// that is handed back, with its fstat, its identity for the hash cache and MD5. It imports only Node (and
// file-identity.ts), so it runs as its own bundle.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { identityOf } from './file-identity';
import type { FromWorker, HashRequest, SmallRequest, SmallResult, ToWorker, WorkerError } from './hash-messages';

const port = parentPort!;
const buffer = Buffer.allocUnsafe(1024 * 1024);
const jobs: HashRequest[] = [];
const stopped = new Set<number>();
let busy = false;

const post = (message: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(message, transfer);

/** The parts of a thrown error the pool needs, whatever was thrown. */
function asWorkerError(error: unknown): WorkerError {
  const { code = 'EIO', message = String(error), read, expected } = error as Partial<WorkerError>;
  return { code, message, ...(read === undefined ? {} : { read, expected }) };
}

function shortRead(read: number, expected: number): Error & WorkerError {
  return Object.assign(new Error('short read'), { code: 'ESHORTREAD', read, expected });
}

function readSmall({ id, small }: SmallRequest): void {
  const bytes = new ArrayBuffer(small.reduce((sum, file) => sum + file.size, 0));
  let offset = 0;
  const results = small.map(({ path, size }): SmallResult => {
    const view = new Uint8Array(bytes, offset, size);
    offset += size;
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
      const { size: now, mtimeMs } = fstatSync(fd);
      if (now !== size) return { stat: { size: now, mtimeMs } };
      let read = 0;
      for (let n = 1; read < size && n > 0; read += n) n = readSync(fd, view, read, size - read, read);
      if (read !== size) return { error: asWorkerError(shortRead(read, size)) };
      const identity = identityOf(fstatSync(fd, { bigint: true }));
      return { stat: { size, mtimeMs }, identity, digest: createHash('md5').update(view).digest('hex') };
    } catch (error) {
      return { error: asWorkerError(error) };
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  });
  post({ id, small: results, bytes }, [bytes]);
}

/** Hashes the next part of `job` from `fd`; true once that was the last part. */
function hashPart(job: HashRequest, fd: number, at: { offset: number; n: number }, whole: Hash | undefined): boolean {
  const length = Math.min(job.partSize, job.size - at.offset);
  const part = createHash('md5');
  for (let done = 0; done < length;) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), at.offset + done);
    if (read === 0) throw shortRead(at.offset + done, job.size);
    const bytes = buffer.subarray(0, read);
    part.update(bytes);
    whole?.update(bytes);
    done += read;
  }
  const digest = part.digest('hex');
  post({ id: job.id, n: at.n, digest });
  at.offset += length;
  at.n += 1;
  if (at.offset < job.size) return false;
  post({ id: job.id, end: true, whole: whole ? whole.digest('hex') : digest });
  return true;
}

function nextJob(): void {
  const job = jobs.shift();
  busy = Boolean(job);
  if (!job) return;
  if (stopped.delete(job.id)) return void setImmediate(nextJob);
  let opened: number | undefined;
  try {
    opened = openSync(job.path, 'r');
    const { size, mtimeMs } = fstatSync(opened);
    post({ id: job.id, stat: { size, mtimeMs } });
  } catch (error) {
    if (opened !== undefined) closeSync(opened);
    post({ id: job.id, error: asWorkerError(error) });
    return void setImmediate(nextJob);
  }
  const fd = opened;
  const whole = job.size > job.partSize ? createHash('md5') : undefined;
  const at = { offset: 0, n: 1 };
  const end = (): void => {
    closeSync(fd);
    setImmediate(nextJob);
  };
  // One part per turn of the event loop, so a stop message between parts is seen.
  const step = (): void => {
    if (stopped.delete(job.id)) return end();
    try {
      if (!hashPart(job, fd, at, whole)) return void setImmediate(step);
    } catch (error) {
      post({ id: job.id, error: asWorkerError(error) });
    }
    end();
  };
  step();
}

port.on('message', (message: ToWorker) => {
  if ('stop' in message) return void stopped.add(message.stop);
  if ('small' in message) return void readSmall(message);
  jobs.push(message);
  if (!busy) nextJob();
});
