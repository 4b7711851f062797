import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import { freePort, waitFor } from './net';

const run = promisify(execFile);

/** Where a test S3 lives and the keys that may write to it. */
export interface S3Endpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** True when the server verifies SigV4, signed headers and Content-MD5 (Ceph RGW does). */
  verifies: boolean;
}

/** A running single-node Ceph cluster with one RADOS Gateway. */
export interface CephGateway extends S3Endpoint {
  /** The mon, osd and radosgw processes, for measuring what the server spends. */
  pids: number[];
  /** Frees the space of deleted objects now, instead of after RGW's garbage-collection delay. */
  collectGarbage(): Promise<void>;
  stop(): Promise<void>;
}

const ACCESS_KEY = 'HOISTTESTACCESSKEY01';
const SECRET_KEY = 'hoist-test-secret-key-do-not-use-elsewhere';

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
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
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw data = ${dir}/rgw
rgw gc obj min wait = 0
rgw gc processor period = 5
`;
}

function startDaemon(command: string, args: string[]): ChildProcess {
  const child = spawn(command, args, { stdio: 'ignore' });
  child.on('error', () => undefined);
  return child;
}

async function stopDaemon(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** Starts mon, osd and radosgw on loopback in a fresh temp folder; stop() ends exactly those processes. */
export async function startCeph(): Promise<CephGateway> {
  // Admin socket paths must stay under ~100 characters, so the folder lives right under /tmp.
  const dir = await mkdtemp('/tmp/hc-');
  for (const sub of ['run', 'log', 'mon', 'osd', 'rgw']) await mkdir(`${dir}/${sub}`);
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const fsid = randomUUID();
  const conf = `${dir}/ceph.conf`;
  await writeFile(conf, cephConf(dir, fsid, monPort, rgwPort));
  const daemons: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    // radosgw first, then osd, then mon: stopping all at once makes radosgw hang.
    for (const child of [...daemons].reverse()) await stopDaemon(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await run('monmaptool', ['--create', '--addv', 'a', `[v2:127.0.0.1:${monPort}]`, '--fsid', fsid, `${dir}/monmap`]);
    await run('ceph-mon', ['-c', conf, '--mkfs', '-i', 'a', '--monmap', `${dir}/monmap`]);
    daemons.push(startDaemon('ceph-mon', ['-c', conf, '-f', '-i', 'a']));
    const osdUuid = randomUUID();
    const { stdout } = await run('ceph', ['-c', conf, 'osd', 'new', osdUuid], { timeout: 30_000 });
    const osdId = stdout.trim();
    await mkdir(`${dir}/osd/${osdId}`, { recursive: true });
    await run('ceph-osd', ['-c', conf, '-i', osdId, '--mkfs', '--osd-uuid', osdUuid]);
    daemons.push(startDaemon('ceph-osd', ['-c', conf, '-f', '-i', osdId]));
    await waitFor(async () => {
      const dump = await run('ceph', ['-c', conf, 'osd', 'dump'], { timeout: 10_000 });
      return dump.stdout.includes(`osd.${osdId} up`);
    }, 30_000);
    daemons.push(startDaemon('radosgw', ['-c', conf, '-f', '-n', 'client.rgw.a']));
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
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    await waitFor(async () => (await fetch(endpoint)).ok, 30_000);
    return {
      endpoint,
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      verifies: true,
      pids: daemons.flatMap((child) => (child.pid ? [child.pid] : [])),
      collectGarbage: async () => {
        await run('radosgw-admin', ['-c', conf, 'gc', 'process', '--include-all'], { timeout: 120_000 });
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
