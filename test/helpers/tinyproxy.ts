import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './net';
import { connect } from 'node:net';

/** A running tinyproxy (Debian's), a real forward and CONNECT proxy, and what it was asked to do. */
export interface ForwardProxy {
  url: string;
  /** The request lines it received: `CONNECT 127.0.0.1:443 HTTP/1.1`, `PUT http://… HTTP/1.1`. */
  requests(): Promise<string[]>;
  stop(): Promise<void>;
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** Starts tinyproxy on a free loopback port, allowing CONNECT to any port, logging every request line. */
export async function startTinyproxy(): Promise<ForwardProxy> {
  const dir = await mkdtemp(join(tmpdir(), 'hoist-proxy-'));
  const port = await freePort();
  const log = join(dir, 'tinyproxy.log');
  await writeFile(
    join(dir, 'tinyproxy.conf'),
    [
      `Port ${port}`,
      'Listen 127.0.0.1',
      'Timeout 60',
      `LogFile "${log}"`,
      'LogLevel Info',
      'MaxClients 200',
      'Allow 127.0.0.1',
      // With no ConnectPort line, CONNECT may reach any port (the test servers' ports are random).
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const child = spawn('tinyproxy', ['-d', '-c', join(dir, 'tinyproxy.conf')], { stdio: 'ignore' });
  await waitFor(() => listening(port), 10_000);
  return {
    url: `http://127.0.0.1:${port}`,
    requests: async () => {
      const text = await readFile(log, 'utf8').catch(() => '');
      return [...text.matchAll(/Request \(file descriptor \d+\): (.+)$/gmu)].map((m) => m[1]!.trim());
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
