import { execFileSync, spawn } from 'node:child_process';
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hashToken } from '@hoist/signer-server/auth';
import type { CephGateway } from '../test/helpers/ceph';
import { listKeys } from '../test/helpers/bucket';
import { waitFor } from '../test/helpers/net';
import type { TestCertificates } from '../test/helpers/tls';

// What every bench measures with: GNU time around a client, CPU from /proc, the signer as its own
// process, the peers' environment, and medians.

/** Generated datasets, kept between runs. */
export const DATA = resolve(import.meta.dirname, '.data');
export const MiB = 1024 * 1024;
/** The project root, where clients run from. */
export const root = resolve(import.meta.dirname, '..');
/** The CLI bundle `npm run bench` builds first, run as is: an edit made while the bench runs changes nothing measured. */
export const HOIST_CLI = join(root, 'out', 'cli', 'hoist.mjs');

/** The command line of the bundled `hoist <args>`; with `BENCH_PROFILE=1` a CPU profile of the run goes to `bench/.prof/<profileDir>`. */
export function hoistCommand(args: string[], profileDir = ''): string[] {
  const profile = process.env.BENCH_PROFILE
    ? ['--cpu-prof', `--cpu-prof-dir=${join(import.meta.dirname, '.prof', profileDir)}`]
    : [];
  return [process.execPath, ...profile, HOIST_CLI, ...args];
}

/** The command line of the bundled `hoist push` of `dir` through a signer, keeping its state in `stateDir`. */
export function hoistPush(
  dir: string,
  signer: { url: string; token: string },
  stateDir: string,
  ...flags: string[]
): string[] {
  return hoistCommand([
    'push',
    dir,
    ...flags,
    '--signer',
    signer.url,
    '--token',
    signer.token,
    '--state-dir',
    stateDir,
  ]);
}

/** What one client run cost. */
export interface Measure {
  wall: number;
  cpu: number;
  rssMb: number;
  /** CPU seconds Ceph's daemons spent during the run. */
  serverCpu?: number;
  /** CPU seconds Hoist's signer spent during the run. */
  signerCpu?: number;
  /** On a link: bytes it carried up to the store and the signer (requests, their bodies included). */
  upBytes?: number;
}

/** CPU seconds (user+sys) the processes have used so far, from /proc. */
export async function cpuSeconds(pids: readonly number[]): Promise<number> {
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
export async function serverQuiet(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const before = await cpuSeconds(pids);
    await new Promise((resolveWait) => setTimeout(resolveWait, 500));
    if ((await cpuSeconds(pids)) - before < 0.05) return;
  }
}

/** Client, server and signer CPU together. */
export const allCpu = (m: Measure): number => m.cpu + (m.serverCpu ?? 0) + (m.signerCpu ?? 0);

/** The middle value (the mean of the two middle ones for an even count). */
export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The median run: median wall, CPU and server CPU, and the highest peak RSS. */
export function summarize(runs: Measure[]): Measure {
  const pick = (f: (m: Measure) => number | undefined) => {
    const values = runs.map(f).filter((v): v is number => v !== undefined);
    return values.length ? median(values) : undefined;
  };
  const signerCpu = pick((m) => m.signerCpu);
  const upBytes = pick((m) => m.upBytes);
  return {
    wall: pick((m) => m.wall)!,
    cpu: pick((m) => m.cpu)!,
    rssMb: Math.max(...runs.map((m) => m.rssMb)),
    serverCpu: pick((m) => m.serverCpu)!,
    ...(signerCpu === undefined ? {} : { signerCpu }),
    ...(upBytes === undefined ? {} : { upBytes }),
  };
}
/** Runs a command under GNU time; returns wall seconds, user+sys CPU seconds and peak RSS in MB. */
export function timed(command: string[], env: NodeJS.ProcessEnv): Promise<Measure> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %U %S %M', ...command], {
      env,
      cwd: root,
      stdio: ['ignore', process.env.BENCH_STDOUT ? 'inherit' : 'ignore', 'pipe'],
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

/** The environment the AWS CLI and rclone reach the store with: its keys, and an rclone remote `bench:`. */
export function peerEnv(s3: CephGateway): NodeJS.ProcessEnv {
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

/** How a run reaches the store and the signer: straight, or through a link, over http or https. */
export interface Route {
  /** The store's address as clients use it (a link's port, or Ceph's own). */
  s3Endpoint: string;
  /** The signer's port, and the address clients use for it. */
  signerPort: number;
  signerUrl: string;
  /** Certificates when the signer and the store are reached over TLS. */
  tls?: { certs: TestCertificates; caBundle: string };
}

/** `config` in a JSON file of its own, for HOIST_SIGNER_CONFIG. */
async function configFile(config: Record<string, unknown>): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'hoist-bench-config-')), 'signer.json');
  await writeFile(file, JSON.stringify(config));
  return file;
}

/** Starts Hoist's signer as its own process on `route`'s port, for one user `bench` with a fresh token; waits until it answers. */
export async function startSignerProcess(
  s3: Pick<CephGateway, 'endpoint' | 'accessKeyId' | 'secretAccessKey'>,
  bucket: string,
  route: Route,
  /** Settings written to a file the signer reads (HOIST_SIGNER_CONFIG), under the environment's. */
  config?: Record<string, unknown>,
): Promise<{ token: string; pid: number; stop(): void }> {
  const token = randomBytes(16).toString('hex');
  const port = route.signerPort;
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
      // The signer's own calls stay on its side of the link, as a signer beside its store would; the
      // upload URLs it hands out name the store as clients reach it.
      HOIST_S3_ENDPOINT: s3.endpoint,
      HOIST_S3_PUBLIC_ENDPOINT: route.s3Endpoint,
      HOIST_S3_FORCE_PATH_STYLE: 'true',
      ...(route.tls ? { HOIST_TLS_CERT: route.tls.certs.certFile, HOIST_TLS_KEY: route.tls.certs.keyFile } : {}),
      HOIST_SIGNER_PORT: String(port),
      HOIST_USERS: JSON.stringify([{ id: 'bench', tokenSha256: hashToken(token), prefix: 'bench' }]),
      HOIST_TOKEN_SECRET: randomBytes(32).toString('hex'),
      HOIST_LOG_LEVEL: 'silent',
      ...(config ? { HOIST_SIGNER_CONFIG: await configFile(config) } : {}),
    },
  });
  await waitFor(async () => {
    // Health is asked straight, not through the link, with the test CA when over TLS.
    const args = ['-sf', '-o', '/dev/null', ...(route.tls ? ['--cacert', route.tls.caBundle] : [])];
    const scheme = route.tls ? 'https' : 'http';
    execFileSync('curl', [...args, `${scheme}://127.0.0.1:${port}/healthz`]);
    return true;
  }, 30_000);
  return { token, pid: child.pid!, stop: () => child.kill() };
}

/** Deletes every object in `bucket`; returns how many there were. */
export async function emptyBucket(client: S3Client, bucket: string): Promise<number> {
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
