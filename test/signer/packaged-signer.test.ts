import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { md5Base64 } from '../helpers/hash';
import { createTestBucket } from '../helpers/test-s3';

// The signer as an admin runs it: packed with `npm pack`, installed into a clean folder with
// `--omit=dev`, started as `node` itself through its `hoist-signer` bin, against the test RGW.
const run = promisify(execFile);
const SECRET = randomBytes(32).toString('hex');
const s3 = inject('s3');
let folder: string;
let bin: string;
let bucket: string;

/** The environment of a host with AWS credentials for the test store and no way to reach instance metadata. */
const hostEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: folder,
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SHARED_CREDENTIALS_FILE: join(folder, 'no-credentials'),
  AWS_CONFIG_FILE: join(folder, 'no-config'),
  ...extra,
});
const withKeys = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };

/** A running `hoist-signer`, its log lines as they come, and how it ended (once its output is all read). */
interface SignerProcess {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  url: string;
  exited: Promise<number | null>;
}

async function startPackaged(configFile: string): Promise<SignerProcess> {
  const child = spawn(process.execPath, [bin], {
    env: hostEnv({ ...withKeys, HOIST_SIGNER_CONFIG: configFile }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      lines.push(parsed);
      if (parsed.event === 'started') resolve(parsed.url as string);
    });
    void exited.then((code) => reject(new Error(`hoist-signer exited with ${code}: ${stderr}`)));
  });
  return { child, lines, url, exited };
}

/** Runs `hoist-signer <args>` to its end. */
async function signerCommand(args: string[], env: NodeJS.ProcessEnv = {}, input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: hostEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** Makes a user with `hoist-signer token new` and returns the token and the config entry it printed. */
async function newUser(id: string, prefix: string): Promise<{ token: string; entry: Record<string, unknown> }> {
  const made = await signerCommand(['token', 'new', '--user', id, '--prefix', prefix]);
  expect(made.code).toBe(0);
  const [, token, , entry] = made.stdout.split('\n').map((line) => line.trim());
  return { token: token!, entry: JSON.parse(entry!) as Record<string, unknown> };
}

const configFor = (users: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    host: '127.0.0.1',
    port: 0,
    s3: { bucket, endpoint: s3.endpoint, region: s3.region, forcePathStyle: true },
    users,
    tokenSecret: SECRET,
    shutdownGraceSeconds: 10,
    ...extra,
  });

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'hoist-packaged-'));
  const packed = await run('npm', ['pack', '-w', '@hoist/signer-server', '--pack-destination', folder, '--silent']);
  const tarball = join(folder, packed.stdout.trim().split('\n').at(-1)!);
  const site = join(folder, 'site');
  await run('mkdir', ['-p', site]);
  await writeFile(join(site, 'package.json'), '{ "name": "signer-site", "private": true }\n');
  await run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], {
    cwd: site,
    timeout: 240_000,
  });
  bin = join(site, 'node_modules', '.bin', 'hoist-signer');
  bucket = await createTestBucket(s3);
}, 300_000);

describe('the signer installed from `npm pack` with --omit=dev', () => {
  let signer: SignerProcess | undefined;
  afterAll(() => void signer?.child.kill('SIGKILL'));

  it('makes tokens: new prints one once with its config line, hash ignores one trailing newline, check names the user', async () => {
    const { token, entry } = await newUser('ana', 'teams/ana');
    expect(token).toMatch(/^hoist_[\w-]{43}$/u);
    expect(entry).toEqual({ id: 'ana', tokenSha256: expect.stringMatching(/^[0-9a-f]{64}$/u), prefix: 'teams/ana' });
    const hashed = await signerCommand(['token', 'hash'], {}, `${token}\n`);
    expect(hashed.stdout.trim()).toBe(entry.tokenSha256);
    const configFile = join(folder, 'check.json');
    await writeFile(configFile, configFor([entry]));
    const known = await signerCommand(['token', 'check', token], { HOIST_SIGNER_CONFIG: configFile });
    expect(known.stdout).toBe('The token of user `ana` (prefix `teams/ana`)\n');
    const unknown = await signerCommand(['token', 'check', 'hoist_not-a-token'], { HOIST_SIGNER_CONFIG: configFile });
    expect([unknown.code, unknown.stdout]).toEqual([1, 'No user of this config has that token\n']);
  });

  it('refuses to start without credentials or without its bucket (exit 78), saying why', async () => {
    const { entry } = await newUser('ana', 'teams/ana');
    const configFile = join(folder, 'fail-fast.json');
    await writeFile(configFile, configFor([entry]));
    const noKeys = await signerCommand([], { HOIST_SIGNER_CONFIG: configFile });
    expect(noKeys.code).toBe(78);
    expect(noKeys.stderr).toContain("No S3 credentials: the AWS SDK's chain found none");
    expect(noKeys.stderr).toContain('AWS_ACCESS_KEY_ID');
    const missing = join(folder, 'no-bucket.json');
    await writeFile(
      missing,
      configFor([entry], { s3: { bucket: 'no-such-bucket-here', endpoint: s3.endpoint, forcePathStyle: true } }),
    );
    const noBucket = await signerCommand([], { ...withKeys, HOIST_SIGNER_CONFIG: missing });
    expect(noBucket.code).toBe(78);
    expect(noBucket.stderr).toContain('The bucket `no-such-bucket-here` did not answer');
    expect(noBucket.stderr).toContain('store.startDegraded');
  });

  it('logs as operators expect, reloads users on SIGHUP, and stops on SIGTERM letting a slow request finish', async () => {
    const ana = await newUser('ana', 'teams/ana');
    const ben = await newUser('ben', 'teams/ben');
    const configFile = join(folder, 'running.json');
    await writeFile(configFile, configFor([ana.entry]));
    signer = await startPackaged(configFile);
    const { url, lines } = signer;

    const health = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'probe-123' } });
    expect(await health.json()).toEqual({ ok: true, version: '0.1.0' });
    expect(health.headers.get('x-request-id')).toBe('probe-123');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(metrics).toMatch(/hoist_signer_build_info\{version="0\.1\.0",node="v\d+/u);
    const line = lines.find((l) => l.reqId === 'probe-123')!;
    expect(line).toMatchObject({
      level: 'info',
      route: '/healthz',
      status: 200,
      msg: expect.stringContaining('GET /healthz 200'),
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/u);
    expect(typeof line.responseTime).toBe('number');

    const policy = (token: string) => fetch(`${url}/v1/policy`, { headers: { authorization: `Bearer ${token}` } });
    expect((await policy(ben.token)).status).toBe(401);
    await writeFile(configFile, configFor([ana.entry, ben.entry]));
    signer.child.kill('SIGHUP');
    await expect.poll(() => lines.some((l) => l.event === 'users-reloaded'), { timeout: 5000 }).toBe(true);
    expect((await policy(ben.token)).status).toBe(200);
    await writeFile(configFile, '{ "users": [ broken');
    signer.child.kill('SIGHUP');
    await expect.poll(() => lines.some((l) => l.event === 'users-reload-failed'), { timeout: 5000 }).toBe(true);
    expect((await policy(ben.token)).status).toBe(200);

    // A sign request whose body trickles in, still in flight when SIGTERM comes.
    const body = JSON.stringify({
      batch: 'slow',
      files: [{ path: 'a.png', size: 3, type: 'image/png', md5: md5Base64('abc') }],
    });
    const port = new URL(url).port;
    const slow = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/v1/batches/sign',
          headers: {
            authorization: `Bearer ${ana.token}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => req.end(body.slice(10)), 1500);
    });
    await new Promise((done) => setTimeout(done, 300));
    signer.child.kill('SIGTERM');
    await expect
      .poll(() => lines.some((l) => l.event === 'shutdown' && String(l.msg).startsWith('draining')), { timeout: 5000 })
      .toBe(true);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(await slow).toBe(200);
    expect(await signer.exited).toBe(0);
    const steps = lines.filter((l) => l.event === 'shutdown').map((l) => String(l.msg));
    expect(steps).toEqual([
      expect.stringContaining('SIGTERM: shutting down'),
      'draining: /readyz answers 503, no new connections',
      'every request in flight finished',
      'stopped',
    ]);
    signer = undefined;
  });

  it('closes what is still in flight once the grace is over, and exits 0', async () => {
    const ana = await newUser('ana', 'teams/ana');
    const configFile = join(folder, 'impatient.json');
    await writeFile(configFile, configFor([ana.entry], { shutdownGraceSeconds: 1 }));
    const impatient = await startPackaged(configFile);
    // A request whose body never ends.
    const stuck = new Promise<string>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: new URL(impatient.url).port,
        method: 'POST',
        path: '/v1/batches/sign',
        headers: { authorization: `Bearer ${ana.token}`, 'content-type': 'application/json', 'content-length': '1000' },
      });
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.on('response', () => resolve('answered'));
      req.write('{"batch":');
    });
    await new Promise((done) => setTimeout(done, 300));
    impatient.child.kill('SIGTERM');
    expect(await impatient.exited).toBe(0);
    expect(await stuck).toBe('ECONNRESET');
    const steps = impatient.lines.filter((l) => l.event === 'shutdown').map((l) => String(l.msg));
    expect(steps).toContain('requests still in flight after 1000 ms: closing their connections');
    expect(steps.at(-1)).toBe('stopped');
  });
});
