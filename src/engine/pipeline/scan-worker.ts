import { setImmediate } from 'node:timers/promises';
import { parentPort } from 'node:worker_threads';
import { countEntries } from './folder-count';
import type { FromScanWorker, ToScanWorker } from './scan-messages';
import { CHUNKS_AHEAD } from './scan-messages';
import type { ScanEntry } from './scan-entries';
import { walkFolder } from './walk';

// The scan thread: walks one folder at a time with synchronous calls and sends what it finds in chunks,
// at most CHUNKS_AHEAD ahead of the reader, so a walk of a million files never outruns the batch. Counts
// run beside the walk, a few hundred files at a time, while the walk waits for its reader.

/**
 * Entries in the first chunk, doubling with each chunk up to the most a chunk holds: the batch has its
 * first files to hash and sign after a few of them, then messages grow large. The longest a found entry
 * waits for its chunk to fill.
 */
const FIRST_CHUNK = 32;
const CHUNK = 512;
const CHUNK_WAIT_MS = 50;

const port = parentPort!;
let credit = 0;
let wake: (() => void) | undefined;

const send = (message: FromScanWorker): void => port.postMessage(message);

async function sendEntries(entries: ScanEntry[]): Promise<void> {
  while (credit <= 0) await new Promise<void>((resolve) => (wake = resolve));
  credit -= 1;
  send({ t: 'entries', entries });
}

async function scan({ root, ignore, options }: Extract<ToScanWorker, { t: 'scan' }>): Promise<void> {
  credit = CHUNKS_AHEAD;
  try {
    let chunk: ScanEntry[] = [];
    let size = FIRST_CHUNK;
    let since = performance.now();
    for (const entry of walkFolder(root, ignore, options)) {
      chunk.push(entry);
      if (chunk.length < size && performance.now() - since < CHUNK_WAIT_MS) continue;
      await sendEntries(chunk);
      chunk = [];
      size = Math.min(CHUNK, size * 2);
      since = performance.now();
    }
    if (chunk.length) await sendEntries(chunk);
    send({ t: 'end' });
  } catch (error) {
    const { message, code } = error as NodeJS.ErrnoException;
    send({ t: 'error', message: String(message ?? error), ...(code ? { code } : {}) });
  }
}

/** Counts asked to stop, by id. */
const stopping = new Set<number>();

async function count({ id, root, ignore, only }: Extract<ToScanWorker, { t: 'count' }>): Promise<void> {
  try {
    const counting = countEntries(root, ignore, only);
    let step = counting.next();
    while (!step.done) {
      // A turn of the event loop: a walk woken by its reader runs first, and a stop gets in.
      await setImmediate();
      if (stopping.delete(id)) {
        counting.return({ ...step.value });
        break;
      }
      step = counting.next();
    }
    send({ t: 'counted', id, files: step.value.files, bytes: step.value.bytes });
  } catch (error) {
    send({ t: 'count-failed', id, message: String((error as Error).message ?? error) });
  }
}

port.on('message', (message: ToScanWorker) => {
  if (message.t === 'scan') void scan(message);
  else if (message.t === 'count') void count(message);
  else if (message.t === 'stop-count') stopping.add(message.id);
  else {
    credit += 1;
    wake?.();
    wake = undefined;
  }
});
