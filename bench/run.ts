import { execFileSync, spawn } from 'node:child_process';
import { build } from 'esbuild';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashToken } from '@hoist/signer-server/auth';
import { ConfigSchema } from '@hoist/signer-server/config';
import { walk } from './contenders/walk';
import { Journal } from '../src/engine/batch/journal';
import type { FileOutcome } from '../src/shared/outcome';
import { startCeph, type CephGateway } from '../test/helpers/ceph';
import { listKeys } from '../test/helpers/bucket';
import { freePort, waitFor } from '../test/helpers/net';
import { adminClient, createTestBucket } from '../test/helpers/test-s3';

// `npm run bench`: Hoist against rclone, the AWS CLI, @aws-sdk/lib-storage and a raw presigned-PUT
// baseline, in one run, on one local Ceph RGW. Wall time, client CPU (user+sys) and peak RSS come from
// GNU time around each client process; the server's CPU (Ceph's daemons) and the signer's from /proc.
// Each contender runs BENCH_ROUNDS times (default 3), the rounds interleaved, and the ratios use the
// medians: one run on a loaded 2-core machine varies by 10-20%. Set BENCH_DATASETS=A,B and
// BENCH_CLIENTS=hoist,raw,rclone to run a subset (the ratios need hoist, raw and the peers).

const DATA = resolve(import.meta.dirname, '.data');
const MiB = 1024 * 1024;
const root = resolve(import.meta.dirname, '..');

interface Measure {
  wall: number;
  cpu: number;
  rssMb: number;
  /** CPU seconds Ceph's daemons spent during the run. */
  serverCpu?: number;
  /** CPU seconds Hoist's signer spent during the run. */
  signerCpu?: number;
}

/** CPU seconds (user+sys) the processes have used so far, from /proc. */
async function cpuSeconds(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

/**
 * Waits until Ceph's daemons are nearly idle (under 10% of a core over half a second, or 20 s at most),
 * so no contender pays for the clean-up the server does after the run before it.
 */
async function serverQuiet(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const before = await cpuSeconds(pids);
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    if ((await cpuSeconds(pids)) - before < 0.05) return;
  }
}

const BUILD = join(import.meta.dirname, '.build');

/**
 * Bundles the Node contenders (raw, lib-storage) with their packages into bench/.build/, as Hoist's CLI
 * is bundled: run through tsx instead, each run would pay ~0.4 s of wall and ~0.5 s of CPU compiling
 * TypeScript, which would flatter Hoist.
 */
async function buildContenders(): Promise<void> {
  await build({
    entryPoints: { raw: 'bench/contenders/raw.ts', 'lib-storage': 'bench/contenders/lib-storage.ts' },
    outdir: BUILD,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    alias: { '@hoist/signer-server': './signer-server/src' },
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
}

/**
 * CPU seconds the MD5 work #4 asks of any client on `dir` takes on this machine: one pass over a file sent
 * whole (its Content-MD5 is the file's MD5), two over a multipart one (each part's Content-MD5, and the
 * whole file's MD5 for the report). Hashed from memory, so no file reading is counted.
 */
async function requiredMd5Seconds(dir: string): Promise<number> {
  const { multipartThreshold } = ConfigSchema.shape.policy.parse(undefined);
  const sizes: number[] = [];
  for await (const path of walk(dir)) sizes.push((await stat(path)).size);
  const bytes = randomBytes(MiB);
  const before = process.cpuUsage();
  for (const size of sizes) {
    for (let pass = 0; pass < (size >= multipartThreshold ? 2 : 1); pass++) {
      const hash = createHash('md5');
      for (let at = 0; at < size; at += MiB) hash.update(bytes.subarray(0, Math.min(MiB, size - at)));
      hash.digest();
    }
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/** Client, server and signer CPU together. */
const allCpu = (m: Measure): number => m.cpu + (m.serverCpu ?? 0) + (m.signerCpu ?? 0);

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median run: median wall, CPU and server CPU, and the highest peak RSS. */
function summarize(runs: Measure[]): Measure {
  const pick = (f: (m: Measure) => number | undefined) => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const signerCpu = pick((m) => m.signerCpu);
  return {
    wall: pick((m) => m.wall)!,
    cpu: pick((m) => m.cpu)!,
    rssMb: Math.max(...runs.map((m) => m.rssMb)),
    serverCpu: pick((m) => m.serverCpu)!,
    ...(signerCpu === undefined ? {} : { signerCpu }),
  };
}

function ensurePeers(): void {
  const missing = ['rclone', '/usr/bin/aws', '/usr/bin/time'].filter((bin) => {
    try {
      execFileSync('bash', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (!missing.length) return;
  const command =
    'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rclone awscli time';
  if (process.getuid?.() !== 0)
    throw new Error(`Benchmark peers missing (${missing.join(', ')}); run as root: ${command}`);
  console.log(`installing ${missing.join(', ')} ...`);
  execFileSync('bash', ['-c', command], { stdio: 'ignore' });
}

async function writeFiles(dir: string, count: number, size: number, folders: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const folder = join(dir, `d${String(i % folders).padStart(2, '0')}`);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, `f${i}.bin`), randomBytes(size));
  }
}

async function dataset(name: string): Promise<string> {
  const dir = join(DATA, name);
  if (existsSync(`${dir}.done`)) return dir;
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (name === 'A') await writeFiles(dir, 5000, 4096, 50);
  if (name === 'B') await writeFiles(dir, 200, MiB, 4);
  if (name === 'C') {
    const handle = await open(join(dir, 'big.bin'), 'w');
    for (let i = 0; i < 1024; i++) await handle.write(randomBytes(MiB));
    await handle.close();
  }
  await writeFile(`${dir}.done`, '');
  return dir;
}

/** Runs a command under GNU time; returns wall seconds, user+sys CPU seconds and peak RSS in MB. */
function timed(command: string[], env: NodeJS.ProcessEnv): Promise<Measure> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', ...command], {
      env,
      cwd: root,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      const line = stderr.split('\n').find((l) => l.startsWith('BENCH '));
      if (code !== 0 || !line)
        return reject(new Error(`${command.join(' ')} failed (${code}):\n${stderr.slice(-2000)}`));
      const [, wall, user, sys, rss] = line.split(' ').map(Number) as [number, number, number, number, number];
      resolvePromise({ wall, cpu: user + sys, rssMb: rss / 1024 });
    });
  });
}

function peerEnv(s3: CephGateway): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    RCLONE_CONFIG_BENCH_TYPE: 's3',
    RCLONE_CONFIG_BENCH_PROVIDER: 'Other',
    RCLONE_CONFIG_BENCH_ENDPOINT: s3.endpoint,
    RCLONE_CONFIG_BENCH_ACCESS_KEY_ID: s3.accessKeyId,
    RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE: 'true',
    RCLONE_CONFIG_BENCH_REGION: s3.region,
  };
  // This machine sets CA bundle variables that make rclone 1.60 fail even on plain http.
  for (const name of Object.keys(env)) if (/CA_BUNDLE|CA_CERT|SSL_CERT/u.test(name)) delete env[name];
  return env;
}

async function startSignerProcess(
  s3: CephGateway,
  bucket: string,
): Promise<{ url: string; token: string; pid: number; stop(): void }> {
  const token = randomBytes(16).toString('hex');
  const port = await freePort();
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${join(import.meta.dirname, '.prof', 'signer')}`]
    : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'signer-server/src/cli.ts'], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      HOIST_S3_BUCKET: bucket,
      HOIST_S3_ENDPOINT: s3.endpoint,
      HOIST_S3_FORCE_PATH_STYLE: 'true',
      HOIST_SIGNER_PORT: String(port),
      HOIST_USERS: JSON.stringify([{ id: 'bench', tokenSha256: hashToken(token), prefix: 'bench' }]),
      HOIST_TOKEN_SECRET: randomBytes(32).toString('hex'),
      HOIST_LOG_LEVEL: 'silent',
    },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`)).ok, 30_000);
  return { url, token, pid: child.pid!, stop: () => child.kill() };
}

async function emptyBucket(client: S3Client, bucket: string): Promise<number> {
  const keys = await listKeys(client, bucket);
  for (let i = 0; i < keys.length; i += 1000) {
    await client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: keys.slice(i, i + 1000).map((Key) => ({ Key })) },
      }),
    );
  }
  return keys.length;
}

type Contender = 'hoist' | 'rclone' | 'aws cli' | 'lib-storage' | 'raw' | 'raw+md5';
const CONTENDERS: Contender[] = ['hoist', 'rclone', 'aws cli', 'lib-storage', 'raw', 'raw+md5'];

async function runOne(who: Contender, dir: string, s3: CephGateway, bucket: string): Promise<Measure> {
  const env = peerEnv(s3);
  switch (who) {
    case 'hoist': {
      const signer = await startSignerProcess(s3, bucket);
      const stateDir = await mkdtemp(join(tmpdir(), 'hoist-bench-'));
      try {
        const signerBefore = await cpuSeconds([signer.pid]);
        const measure = await timed(
          [
            process.execPath,
            // BENCH_PROFILE=1 writes a CPU profile of each hoist run to bench/.prof/ (the signer's to .prof/signer/).
            ...(process.env.BENCH_PROFILE
              ? ['--cpu-prof', `--cpu-prof-dir=${join(import.meta.dirname, '.prof')}`]
              : []),
            'bin/hoist.js',
            'push',
            dir,
            '--signer',
            signer.url,
            '--token',
            signer.token,
            '--concurrency',
            '16',
            '--state-dir',
            stateDir,
            '--json',
          ],
          env,
        );
        return { ...measure, signerCpu: (await cpuSeconds([signer.pid])) - signerBefore };
      } finally {
        signer.stop();
        await rm(stateDir, { recursive: true, force: true });
      }
    }
    case 'rclone':
      return timed(['rclone', 'copy', dir, `bench:${bucket}/`, '--transfers', '16'], env);
    case 'aws cli':
      return timed(
        [
          '/usr/bin/aws',
          's3',
          'cp',
          dir,
          `s3://${bucket}/`,
          '--recursive',
          '--endpoint-url',
          s3.endpoint,
          '--only-show-errors',
        ],
        env,
      );
    case 'lib-storage':
    case 'raw':
    case 'raw+md5': {
      const [script, ...mode] = who.split('+');
      return timed(
        [
          process.execPath,
          join(BUILD, `${script}.mjs`),
          dir,
          s3.endpoint,
          bucket,
          s3.accessKeyId,
          s3.secretAccessKey,
          ...mode,
        ],
        env,
      );
    }
  }
}

const expectedObjects: Record<string, number> = { A: 5000, B: 200, C: 1 };

async function main(): Promise<void> {
  ensurePeers();
  await buildContenders();
  const names = (process.env.BENCH_DATASETS ?? 'A,B,C').split(',');
  const clients = CONTENDERS.filter((c) => (process.env.BENCH_CLIENTS ?? CONTENDERS.join(',')).split(',').includes(c));
  const dirs = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await dataset(n)] as const)));
  // Measured before Ceph starts, so its daemons do not share the cores; the lesser of two passes, as a floor.
  const md5Cpu: Record<string, number> = {};
  for (const name of names)
    md5Cpu[name] = Math.min(await requiredMd5Seconds(dirs[name]!), await requiredMd5Seconds(dirs[name]!));
  const s3 = await startCeph();
  // Ceph's daemons are not our children's children: stop them on Ctrl-C too, or they outlive the bench.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void s3.stop().finally(() => process.exit(130)));
  const client = adminClient(s3);
  const rows: Record<string, string | number>[] = [];
  const results: Record<string, Partial<Record<Contender, Measure>>> = {};
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  try {
    for (const name of names) {
      const runs: Partial<Record<Contender, Measure[]>> = {};
      for (let round = 1; round <= rounds; round++) {
        for (const who of clients) {
          const bucket = await createTestBucket(s3, 'bench');
          await serverQuiet(s3.pids);
          const serverBefore = await cpuSeconds(s3.pids);
          const m = await runOne(who, dirs[name]!, s3, bucket);
          m.serverCpu = (await cpuSeconds(s3.pids)) - serverBefore;
          const objects = await emptyBucket(client, bucket);
          // Ceph's store lives in memory: free what this run wrote before the next one writes more.
          await s3.collectGarbage();
          if (objects !== expectedObjects[name])
            throw new Error(`${name} ${who} left ${objects} objects, expected ${expectedObjects[name]}`);
          (runs[who] ??= []).push(m);
          console.log(
            `${name} ${who} (round ${round}/${rounds}): ${m.wall.toFixed(2)} s wall, ${m.cpu.toFixed(2)} s CPU, ` +
              `${Math.round(m.rssMb)} MB peak RSS; server ${m.serverCpu.toFixed(2)} s CPU` +
              (m.signerCpu === undefined ? '' : `, signer ${m.signerCpu.toFixed(2)} s CPU`),
          );
        }
      }
      results[name] = {};
      for (const who of clients) {
        const m = summarize(runs[who]!);
        results[name]![who] = m;
        rows.push({
          dataset: name,
          client: who,
          'wall s': m.wall.toFixed(2),
          'CPU s': m.cpu.toFixed(2),
          'peak RSS MB': Math.round(m.rssMb),
          'server CPU s': m.serverCpu!.toFixed(2),
          'signer CPU s': m.signerCpu === undefined ? '' : m.signerCpu.toFixed(2),
          // With every process on the same cores, no run can take less wall time than this.
          'CPU floor s': (allCpu(m) / cpus().length).toFixed(2),
        });
      }
    }
  } finally {
    client.destroy();
    await s3.stop();
  }
  console.log(
    `\nAll clients against one local Ceph RGW, 16 transfers at once where the client takes a setting; ` +
      `medians of ${rounds} rounds (peak RSS: the highest). CPU floor: client, server and signer CPU ` +
      `over the ${cpus().length} cores they share, the least wall time the work allows here:`,
  );
  console.table(rows);
  for (const name of names) {
    const r = results[name]!;
    if (r.raw) {
      // The raw baseline's work plus the MD5 work alone, shared by the cores: no client that does what
      // #4 asks can finish sooner here, however little else it spends.
      const floor = (allCpu(r.raw) + md5Cpu[name]!) / cpus().length;
      console.log(
        `${name}: MD5 work #4 requires: ${md5Cpu[name]!.toFixed(2)} s CPU; with the raw baseline's client and ` +
          `server CPU, no conforming client can take less than ${floor.toFixed(2)} s here = ` +
          `${(floor / r.raw.wall).toFixed(2)} x raw wall (target <= 1.25)`,
      );
    }
    const hoist = r.hoist;
    const peers = (['rclone', 'aws cli', 'lib-storage'] as const).filter((p) => r[p]).map((p) => ({ p, m: r[p]! }));
    if (!hoist || !r.raw || !r.rclone || !peers.length) continue;
    const best = peers.reduce((a, b) => (b.m.wall < a.m.wall ? b : a));
    const target = name === 'A' ? 0.8 : 1;
    console.log(
      `${name}: hoist/best peer (${best.p}) wall = ${(hoist.wall / best.m.wall).toFixed(2)} (target <= ${target}); ` +
        `hoist/raw wall = ${(hoist.wall / r.raw!.wall).toFixed(2)} (target <= 1.25); ` +
        `hoist/rclone CPU = ${(hoist.cpu / r.rclone!.cpu).toFixed(2)} (target <= 0.5); hoist peak RSS ${Math.round(hoist.rssMb)} MB` +
        (name === 'C' ? ' (target <= 150)' : '') +
        `; all CPU hoist/${best.p} = ${(allCpu(hoist) / allCpu(best.m)).toFixed(2)}, hoist/raw = ${(allCpu(hoist) / allCpu(r.raw)).toFixed(2)}`,
    );
  }
  const scanDir = join(DATA, 'scan100k');
  if (!existsSync(`${scanDir}.done`)) {
    await rm(scanDir, { recursive: true, force: true });
    for (let i = 0; i < 100_000; i++) {
      const folder = join(scanDir, `d${i % 1000}`);
      if (i < 1000) await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `f${i}`), '');
    }
    await writeFile(`${scanDir}.done`, '');
  }
  const scan = await timed([process.execPath, '--import', 'tsx', 'bench/contenders/scan.ts', scanDir], process.env);
  console.log(
    `Scanning 100,000 files: ${scan.wall.toFixed(2)} s, peak RSS ${Math.round(scan.rssMb)} MB (target < 200 MB)`,
  );
  await benchStartWithHistory();
}

/** A state folder after 50 batches of 5,000 files: what finding the unfinished ones costs at each start. */
async function benchStartWithHistory(): Promise<void> {
  const history = join(DATA, 'journals50');
  if (!existsSync(`${history}.done`)) {
    await rm(history, { recursive: true, force: true });
    await mkdir(history, { recursive: true });
    for (let b = 0; b < 50; b++) {
      const batchId = `history-${b}`;
      const startedAt = new Date(Date.UTC(2026, 0, 1, 0, b)).toISOString();
      // Written by the engine's own journal, so the records are exactly those a real batch leaves.
      const journal = Journal.open(history, batchId);
      journal.append({ t: 'batch', v: 1, batchId, root: `/data/${b}`, signer: 'http://signer', startedAt, ignore: [] });
      for (let i = 0; i < 5000; i++) {
        const path = `d${i % 50}/file-${i}.bin`;
        const outcome: FileOutcome = {
          path,
          status: 'uploaded',
          size: 4096,
          key: `users/alice/${batchId}/${path}`,
          md5: '1B2M2Y8AsgTpgAmY7PhCfg==',
          etag: '"d41d8cd98f00b204e9800998ecf8427e"',
        };
        journal.append({ t: 'file', outcome });
      }
      journal.append({ t: 'end', endedAt: startedAt });
      journal.close();
    }
    await writeFile(`${history}.done`, '');
  }
  const empty = await mkdtemp(join(tmpdir(), 'hoist-bench-journals-'));
  const find = (dir: string) =>
    timed([process.execPath, '--import', 'tsx', 'bench/contenders/unfinished.ts', dir], process.env);
  const none = await find(empty);
  const fifty = await find(history);
  await rm(empty, { recursive: true, force: true });
  console.log(
    `Finding unfinished batches at start, 50 ended batches of 5,000 files in the state folder: ${fifty.wall.toFixed(2)} s, peak RSS ${Math.round(fifty.rssMb)} MB; with an empty one: ${none.wall.toFixed(2)} s, ${Math.round(none.rssMb)} MB`,
  );
}

await main();
