import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { hoistPush, type Measure, startSignerProcess, timed } from './harness';
import { startNullStore } from './null-store';
import { tree } from './scan';
import { freePort } from '../test/helpers/net';

// Dataset M (#31): the scan's tree of 1,000,000 files of 64 bytes in 1,000 folders, pushed by `hoist
// push` to a store that keeps nothing (bench/null-store.ts: a PUT answered with its MD5 as ETag), beside
// the raw presigned-PUT baseline to the same store. Peak RSS against the 400 MB target, and the journal's
// bytes per file at its start and at its end: a journal appended per file, never rewritten as it grows.

const FILES = 1_000_000;
const BUCKET = 'million';

/** Bytes per file record over the journal's first and last 1,000 files, and the journal's whole size. */
async function journalGrowth(stateDir: string): Promise<{ first: number; last: number; mb: number }> {
  const dir = join(stateDir, 'journals');
  const [name] = (await readdir(dir)).filter((f) => f.endsWith('.jsonl'));
  const file = join(dir, name!);
  const lengths: number[] = [];
  for await (const line of createInterface({ input: createReadStream(file) }))
    if (line.startsWith('{"t":"file"')) lengths.push(Buffer.byteLength(line) + 1);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return { first: mean(lengths.slice(0, 1000)), last: mean(lengths.slice(-1000)), mb: (await stat(file)).size / 1e6 };
}

/** Hoist and the raw baseline (`rawScript`, bundled) each pushing a million files to the null store; prints both. */
export async function benchMillion(rawScript: string): Promise<void> {
  const dir = tree('scan1m', FILES, 64);
  const store = await startNullStore();
  const signerPort = await freePort();
  const signerUrl = `http://127.0.0.1:${signerPort}`;
  const route = { s3Endpoint: store.endpoint, signerPort, signerUrl };
  // A million files are 10,000 sign requests: the signer's limit per user is raised past them.
  const signer = await startSignerProcess(store, BUCKET, route, { rateLimit: { max: 1_000_000, windowMs: 60_000 } });
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-bench-million-'));
  const sent = async (who: string, run: () => Promise<Measure>): Promise<Measure> => {
    const before = store.puts;
    const m = await run();
    if (store.puts - before !== FILES) throw new Error(`${who} sent ${store.puts - before} files, expected ${FILES}`);
    console.log(
      `million ${who}: ${m.wall.toFixed(1)} s wall, ${m.cpu.toFixed(1)} s CPU, ${Math.round(m.rssMb)} MB peak RSS`,
    );
    return m;
  };
  try {
    const hoist = await sent('hoist', () =>
      timed(hoistPush(dir, { url: signerUrl, token: signer.token }, stateDir), process.env),
    );
    const journal = await journalGrowth(stateDir);
    const raw = await sent('raw', () =>
      timed(
        [process.execPath, rawScript, dir, store.endpoint, BUCKET, store.accessKeyId, store.secretAccessKey],
        process.env,
      ),
    );
    console.log(
      `Pushing 1,000,000 files of 64 bytes to a store that keeps nothing: hoist ${hoist.wall.toFixed(1)} s ` +
        `(${Math.round(FILES / hoist.wall)} files/s), peak RSS ${Math.round(hoist.rssMb)} MB (target <= 400); raw ` +
        `${raw.wall.toFixed(1)} s (${Math.round(FILES / raw.wall)} files/s), ${Math.round(raw.rssMb)} MB; hoist/raw ` +
        `${(hoist.wall / raw.wall).toFixed(2)}; journal ${journal.mb.toFixed(0)} MB, ${journal.first.toFixed(0)} bytes a file ` +
        `over its first 1,000 files and ${journal.last.toFixed(0)} over its last 1,000`,
    );
  } finally {
    signer.stop();
    await store.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}
