import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, type RecordableHistogram } from 'node:perf_hooks';
import { startServiceThread } from '../../src/main/desktop/service-thread';
import { noKeychain } from './keychains';
import { settingsInput } from './settings-input';
import type { BatchView } from '../../src/shared/desktop';

// The desktop's main process without Electron: as the shell does (src/main/index.ts), it runs the
// service on a thread of its own, which plans FOLDER and uploads it for at most SECONDS through the
// signer at SIGNER_URL, while a stand-in for the window takes every update and asks for a page of rows
// after each. Prints the main thread's event-loop delay, plan and upload apart, as one line of JSON:
// what IPC and the window's updates wait behind.
const [folder, signerUrl, token, seconds] = process.argv.slice(2) as [string, string, string, string];
const dir = await mkdtemp(join(tmpdir(), 'hoist-loop-'));
const service = startServiceThread({
  settingsFile: join(dir, 'settings.json'),
  stateDir: join(dir, 'state'),
  secretBox: noKeychain,
  resolveProxy: async () => 'DIRECT',
  openExternal: async () => undefined,
});
await service.saveSettings(settingsInput({ signerUrl, token, proxy: { mode: 'none' } }));

let view: BatchView | undefined;
/** The batch as the last update showed it (a function, so each read sees the newest). */
const current = (): BatchView | undefined => view;
let updates = 0;
service.on('update', (update) => {
  updates += 1;
  JSON.stringify(update);
  view = update.batches[0];
  if (view) void service.listFiles({ batchId: view.batchId, filter: 'all', offset: 0, limit: 60 }).then(JSON.stringify);
});

/** The histogram samples every 10 ms and records each whole interval: the delay is what exceeds it. */
const RESOLUTION_MS = 10;
const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - RESOLUTION_MS) * 10) / 10);
/** p50, p99 and the longest delay of `histogram`, in ms past the sampling interval. */
const delays = (histogram: Pick<RecordableHistogram, 'percentile' | 'max'>) => ({
  p50: ms(histogram.percentile(50)),
  p99: ms(histogram.percentile(99)),
  max: ms(histogram.max),
});

/**
 * The part of each delay this thread's own work caused: a timer turns every interval, and what the main
 * thread ran between two turns (its CPU time, `process.threadCpuUsage`) past the interval held the loop.
 * Time the machine gave to other processes is not counted, so a busy machine does not read as a stall.
 */
const held: number[] = [];
let heldSince = performance.now();
let lastTurn = { wall: performance.now(), cpu: process.threadCpuUsage() };
const turn = setInterval(() => {
  const now = { wall: performance.now(), cpu: process.threadCpuUsage() };
  const cpuMs = (now.cpu.user - lastTurn.cpu.user + now.cpu.system - lastTurn.cpu.system) / 1000;
  held.push(Math.max(0, Math.min(now.wall - lastTurn.wall, cpuMs) - RESOLUTION_MS));
  lastTurn = now;
}, RESOLUTION_MS);
/** p99 and the longest of the holds since the last call in ms, and the share of that time they took; restarts the count. */
const holds = () => {
  const sorted = held.splice(0).sort((a, b) => a - b);
  const share = sorted.reduce((sum, ms) => sum + ms, 0) / (performance.now() - heldSince);
  heldSince = performance.now();
  const round = (n = 0) => Math.round(n * 10) / 10;
  return {
    heldP99: round(sorted[Math.floor(sorted.length * 0.99)]),
    heldMax: round(sorted.at(-1)),
    heldShare: Math.round(share * 1000) / 1000,
  };
};
const until = async (test: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
};

const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
histogram.enable();
let started = performance.now();
const [batchId] = await service.addBatches([folder]);
await until(() => view?.phase === 'ready' || view?.phase === 'error', 600_000);
if (view?.phase !== 'ready') throw new Error(`Expected the plan to be ready, got \`${view?.phase}\``);
const plan = {
  seconds: (performance.now() - started) / 1000,
  files: view.plan!.upload.files,
  ...delays(histogram),
  ...holds(),
};

histogram.reset();
started = performance.now();
await service.control({ batchId: batchId!, action: 'start' });
await until(() => current()?.phase === 'done', Number(seconds) * 1000);
const upload = {
  seconds: (performance.now() - started) / 1000,
  files: current()?.progress?.files.uploaded ?? 0,
  ...delays(histogram),
  ...holds(),
};
histogram.disable();
clearInterval(turn);
console.log(JSON.stringify({ plan, upload, updates }));
if (current()?.phase !== 'done') await service.control({ batchId: batchId!, action: 'cancel' });
await service.close();
process.exit(0);
