import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { constants } from 'node:os';
import { promisify } from 'node:util';
import { freePort, waitFor } from './net';
import { makeCertificates } from './tls';

const run = promisify(execFile);

/** Where a test S3 lives and the keys that may write to it. */
export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** True when the server verifies SigV4, signed headers and Content-MD5 (Ceph RGW does). */
  verifies: boolean;
  /** The same store over HTTPS, with a certificate from a throw-away CA (`caFile`), when it serves TLS. */
  tls?: { endpoint: string; caFile: string };
  /** A role the test keys may assume through the store's STS, when it has one (`s3.roleArn` for a signer). */
  roleArn?: string;
}

/** A running single-node Ceph cluster with one RADOS Gateway. */
export interface CephGateway extends S3Endpoint {
  /** The mon, osd and radosgw processes, for measuring what the server spends. */
  pids: number[];
  /** Frees the space of deleted objects now, instead of after RGW's garbage-collection delay. */
  collectGarbage(): Promise<void>;
  /** The bytes the OSD counts as used, as it last reported them (every few seconds). */
  usedBytes(): Promise<bigint>;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'HOISTTESTACCESSKEY01';
const ROLE = 'hoist-signer';
/** Who may assume the role (the test user), and what the role allows: anything in any bucket. */
const TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam:::user/hoist'] }, Action: ['sts:AssumeRole'] }],
});
const ROLE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:*'], Resource: ['arn:aws:s3:::*'] }],
});
const SECRET_KEY = 'hoist-test-secret-key-do-not-use-elsewhere';
/**
 * Bytes the OSD counts as used that nothing deletes. Memstore's count drifts below the bytes it really
 * holds (0.9 MB after half an hour of the bench writing and deleting); emptied, the store's count then
 * wrapped below zero, the OSD read itself as full past its failsafe and dropped every write, and PUTs
 * hung unanswered. An object in a pool of its own, grown by a truncate (counted, but no page written),
 * keeps the count above zero.
 */
const BALLAST_BYTES = 64 * 1024 * 1024;

interface Frontend {
  port: number;
  tls: { port: number; certFile: string; keyFile: string };
  /** Beast's `tcp_nodelay`: 1 unless a test wants Nagle's algorithm left on, as beast's default leaves it. */
  noDelay: 0 | 1;
}

/**
 * One node's configuration. Beast runs with `tcp_nodelay=1` unless told otherwise: left on, Nagle's
 * algorithm holds the body of each short answer (CreateMultipartUpload, a listing) ~40 ms for the
 * client's delayed ACK.
 */
function cephConf(dir: string, fsid: string, monPort: number, frontend: Frontend, extra: string): string {
  const { port, tls, noDelay } = frontend;
  return `[global]
fsid = ${fsid}
mon host = [v2:127.0.0.1:${monPort}]
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
ms client mode = crc secure
ms bind msgr1 = false
ms bind msgr2 = true
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
osd crush chooseleaf type = 0
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail crit = 0
paxos propose interval = 0.05
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
pid file = ${dir}/run/$name.pid
mon data = ${dir}/mon/$id
osd data = ${dir}/osd/$id
osd objectstore = memstore
memstore device bytes = 8589934592
osd mon shutdown timeout = 1
${extra}
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${port} ssl_endpoint=127.0.0.1:${tls.port} ssl_certificate=${tls.certFile} ssl_private_key=${tls.keyFile} tcp_nodelay=${noDelay}
rgw data = ${dir}/rgw
rgw sts key = hoisttestsTSkey1
rgw s3 auth use sts = true
rgw s3 auth order = external, local, sts
rgw gc obj min wait = 0
rgw gc processor period = 5
`;
}

interface Daemon {
  child: ChildProcess;
  /** Rejects, naming the exit code and the daemon's log, if the daemon exits on its own. */
  died: Promise<never>;
}

/** Names an exit code the way Ceph daemons use them: an errno, such as 28 for ENOSPC. */
function exitName(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return signal;
  const errno = Object.entries(constants.errno).find(([, value]) => value === code)?.[0];
  return errno ? `code ${code} (${errno})` : `code ${code}`;
}

function startDaemon(command: string, args: string[], log: string): Daemon {
  const child = spawn(command, args, { stdio: 'ignore' });
  const died = new Promise<never>((_, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      reject(new Error(`\`${command}\` exited with ${exitName(code, signal)}; its log: ${log}`)),
    );
  });
  died.catch(() => undefined);
  return { child, died };
}

/** Runs `step`; if the daemon it needs exits first, fails at once with the daemon's exit, and aborts the step. */
async function alongside<T>(daemon: Daemon, step: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abandon = new AbortController();
  try {
    return await Promise.race([step(abandon.signal), daemon.died]);
  } finally {
    abandon.abort();
  }
}

async function stopDaemon({ child }: Daemon): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts mon, osd and radosgw on loopback in a fresh temp folder, radosgw serving plain HTTP and HTTPS
 * (beast's ssl_endpoint, with a certificate from a throw-away CA) and STS with one role the test keys
 * may assume; stop() ends exactly those processes. `nagle` leaves beast's Nagle's algorithm on, its default.
 */
export async function startCeph(extraGlobalConf = '', { nagle = false } = {}): Promise<CephGateway> {
  // Admin socket paths must stay under ~100 characters, so the folder lives right under /tmp.
  const dir = await mkdtemp('/tmp/hc-');
  for (const sub of ['run', 'log', 'mon', 'osd', 'rgw']) await mkdir(`${dir}/${sub}`);
  const [monPort, rgwPort, tlsPort] = [await freePort(), await freePort(), await freePort()];
  const certificates = await makeCertificates();
  const frontend: Frontend = { port: rgwPort, tls: { port: tlsPort, ...certificates }, noDelay: nagle ? 0 : 1 };
  const fsid = randomUUID();
  const conf = `${dir}/ceph.conf`;
  await writeFile(conf, cephConf(dir, fsid, monPort, frontend, extraGlobalConf));
  const daemons: Daemon[] = [];
  const stopDaemons = async (): Promise<void> => {
    // radosgw first, then osd, then mon: stopping all at once makes radosgw hang.
    for (const daemon of [...daemons].reverse()) await stopDaemon(daemon);
  };
  const stop = async (): Promise<void> => {
    await stopDaemons();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, `${dir}/monmap`]);
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`]);
    const mon = startDaemon('ceph-mon', ['-c', conf, '-f', '-i', 'a'], `${dir}/log/mon.a.log`);
    daemons.push(mon);
    const osdUuid = randomUUID();
    const { stdout } = await alongside(mon, (signal) =>
      run('ceph', ['-c', conf, 'osd', 'new', osdUuid], { timeout: 30_000, signal }),
    );
    const osdId = stdout.trim();
    await mkdir(`${dir}/osd/${osdId}`, { recursive: true });
    await run('ceph-osd', ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
    const osd = startDaemon('ceph-osd', ['-c', conf, '-f', '-i', osdId], `${dir}/log/osd.${osdId}.log`);
    daemons.push(osd);
    await alongside(osd, (signal) =>
      waitFor(
        async () => {
          const dump = await run('ceph', ['-c', conf, 'osd', 'dump'], { timeout: 10_000, signal });
          return dump.stdout.includes(`osd.${osdId} up`);
        },
        30_000,
        signal,
      ),
    );
    await alongside(osd, async (signal) => {
      await run('ceph', ['-c', conf, 'osd', 'pool', 'create', 'ballast', '8'], { timeout: 30_000, signal });
      const rados = (...args: string[]) =>
        run('rados', ['-c', conf, '-p', 'ballast', ...args], { timeout: 30_000, signal });
      await rados('create', 'ballast');
      await rados('truncate', 'ballast', String(BALLAST_BYTES));
    });
    const rgw = startDaemon('radosgw', ['-c', conf, '-f', '-n', 'client.rgw.a'], `${dir}/log/client.rgw.a.log`);
    daemons.push(rgw);
    await run('radosgw-admin', [
      '-c',
      conf,
      'user',
      'create',
      '--uid=hoist',
      '--display-name=Hoist tests',
      `--access-key=${ACCESS_KEY}`,
      `--secret-key=${SECRET_KEY}`,
    ]);
    // STS on the same endpoint: the test user may assume one role that may do anything, so a signer's
    // session policy alone decides what a user's URLs can do.
    await run('radosgw-admin', ['-c', conf, 'caps', 'add', '--uid=hoist', '--caps=roles=*']);
    await run('radosgw-admin', [
      '-c',
      conf,
      'role',
      'create',
      `--role-name=${ROLE}`,
      `--assume-role-policy-doc=${TRUST_POLICY}`,
    ]);
    await run('radosgw-admin', [
      '-c',
      conf,
      'role-policy',
      'put',
      `--role-name=${ROLE}`,
      '--policy-name=all',
      `--policy-doc=${ROLE_POLICY}`,
    ]);
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await alongside(rgw, (signal) => waitFor(async () => (await fetch(endpoint, { signal })).ok, 30_000, signal));
    return {
      endpoint,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      verifies: true,
      tls: { endpoint: `https://127.0.0.1:${tlsPort}`, caFile: certificates.caFile },
      roleArn: `arn:aws:iam:::role/${ROLE}`,
      pids: daemons.flatMap(({ child }) => (child.pid ? [child.pid] : [])),
      collectGarbage: async () => {
        await run('radosgw-admin', ['-c', conf, 'gc', 'process', '--include-all'], { timeout: 120_000 });
      },
      usedBytes: async () => {
        const { stdout } = await run('ceph', ['-c', conf, 'daemon', `osd.${osdId}`, 'perf', 'dump']);
        return BigInt(/"stat_bytes_used": (\d+)/.exec(stdout)![1]!);
      },
      stop,
    };
  } catch (error) {
    // The folder stays, small without its data, so that the logs the error names can be read.
    await stopDaemons();
    await rm(`${dir}/mon`, { recursive: true, force: true });
    throw error;
  }
}
