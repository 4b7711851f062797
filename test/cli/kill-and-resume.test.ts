import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { hoistExit, hoistPush } from '../helpers/cli';
import { isPresignedPut } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { freePort, waitFor } from '../helpers/net';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

const rig = useProxiedS3();
const { admin } = rig;
const MiB = 1024 * 1024;
let signer: TestSigner;

beforeAll(async () => {
  signer = await rig.signer({ policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB } });
});

describe('hoist push', () => {
  it('killed with SIGKILL mid-batch, then re-run: completes without re-sending finished files or parts', async () => {
    const files: Record<string, Buffer> = Object.fromEntries(
      Array.from({ length: 30 }, (_, i) => [`small/f${i}.bin`, bytes(64 * 1024)]),
    );
    files['big/video.bin'] = bytes(16 * MiB + 3);
    const root = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const common = [
      root,
      '--signer',
      signer.url,
      '--token',
      signer.tokens.alice,
      '--state-dir',
      stateDir,
      '--json',
      '--concurrency',
      '2',
    ];

    const first = hoistPush([...common, '--bwlimit', '2M']);
    // Kill once both kinds of progress are on disk: finished files and at least one finished part.
    const journalHasPart = async () => {
      const names = await readdir(join(stateDir, 'journals')).catch(() => []);
      return names.length > 0 && (await readFile(join(stateDir, 'journals', names[0]!), 'utf8')).includes('"t":"part"');
    };
    while (first.events.filter((e) => e.event === 'file').length < 8 || !(await journalHasPart())) {
      if (first.child.exitCode !== null) throw new Error('the first run ended before it was killed');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();

    const [journalName] = await readdir(join(stateDir, 'journals'));
    const journal = (await readFile(join(stateDir, 'journals', journalName!), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const finishedBefore = new Set(journal.filter((r) => r.t === 'file').map((r) => r.outcome.key as string));
    const partsBefore = new Set(journal.filter((r) => r.t === 'part').map((r) => r.n as number));
    expect(finishedBefore.size).toBeGreaterThanOrEqual(8);
    expect(partsBefore.size).toBeGreaterThan(0);
    expect(finishedBefore.size).toBeLessThan(31);

    const putsAfter: string[] = [];
    rig.proxy.setRule((req) => {
      if (isPresignedPut(req)) putsAfter.push(decodeURIComponent(req.url!));
      return { kind: 'pass' };
    });
    const second = hoistPush(common);
    expect(await second.exited).toBe(0);
    expect(second.events.find((e) => e.event === 'info' && /^Resuming batch/u.test(e.message))).toBeTruthy();
    const end = second.events.find((e) => e.event === 'end');
    expect(end?.counts).toEqual({ uploaded: 31, skipped: 0, rejected: 0, failed: 0 });
    // What the first run sent counts as done: the bar of the run that resumes ends at 100 %.
    const last = second.events.filter((e) => e.event === 'progress').at(-1);
    expect(last).toMatchObject({ state: 'done', totalsKnown: true, files: { total: 31, uploaded: 31 } });
    expect(last?.bytes.done).toBe(last?.bytes.total);
    expect(last?.bytes.total).toBe(30 * 64 * 1024 + 16 * MiB + 3);

    for (const key of finishedBefore) expect(putsAfter.some((url) => url.includes(`/${key}?`))).toBe(false);
    const bigPartsAgain = putsAfter
      .filter((url) => url.includes('/big/video.bin?'))
      .map((url) => Number(/partNumber=(\d+)/u.exec(url)?.[1]));
    for (const n of partsBefore) expect(bigPartsAgain).not.toContain(n);

    const prefix = `users/alice/${journalName!.replace(/\.jsonl$/u, '')}/`;
    const keys = await listKeys(admin, rig.bucket, prefix);
    expect(keys).toHaveLength(31);
    for (const key of keys)
      expect(await objectMd5(admin, rig.bucket, key)).toBe(md5Hex(files[key.slice(prefix.length)]!));
  });

  it('refuses to upload a batch that another hoist is uploading, and that one finishes', async () => {
    const files = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.bin`, bytes(256 * 1024)]));
    const root = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const common = [root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir];
    const first = hoistPush([...common, '--json', '--bwlimit', '256K']);
    // Once its journal exists, the batch is unfinished on disk: a second run would resume it.
    await waitFor(async () => (await readdir(join(stateDir, 'journals')).catch(() => [])).length > 0, 20_000);
    const second = await hoistExit(['push', ...common]);
    expect(second.code).toBe(3);
    expect(second.stderr).toContain(`is being uploaded by another Hoist process (pid ${first.child.pid})`);
    expect(await first.exited).toBe(0);
    expect(first.events.find((e) => e.event === 'end')?.counts).toEqual({
      uploaded: 8,
      skipped: 0,
      rejected: 0,
      failed: 0,
    });
  });

  it('exits 2 on bad usage with a message naming the value', async () => {
    const { code, stderr } = await hoistExit(['push', '.', '--concurrency', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('Expected `--concurrency` to be a whole number from 1 to 256, got `0`');
    // A mistyped folder is named before the embedded signer and store start.
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const missing = join(stateDir, 'no-such-folder');
    const typo = await hoistExit(['push', missing, '--state-dir', stateDir]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain(`Expected a folder or file to upload, got \`${missing}\`, which does not exist`);
    // So is a report that could not be written once the upload is over.
    const report = join(missing, 'report');
    const unwritable = await hoistExit(['push', stateDir, '--report', report, '--state-dir', stateDir]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toContain(`Expected \`--report\` to be in an existing folder, got \`${report}\``);
    const file = join(stateDir, 'a-file');
    await writeFile(file, 'x');
    const notAFolder = await hoistExit(['push', stateDir, '--state-dir', file]);
    expect(notAFolder.code).toBe(2);
    expect(notAFolder.stderr).toContain(`Expected \`--state-dir\` to be a folder, got \`${file}\`, which is a file`);
  });

  it('exits 3 within seconds, not after a minute and a half of retries, when the signer was never reached', async () => {
    const root = await makeFolder({ 'a.txt': 'a' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const closed = `http://127.0.0.1:${await freePort()}`;
    const startedAt = Date.now();
    const { code, stderr } = await hoistExit([
      'push',
      root,
      '--signer',
      closed,
      '--token',
      't',
      '--state-dir',
      stateDir,
    ]);
    expect(code).toBe(3);
    // In words a person reads, the code kept for whoever looks it up.
    expect(stderr).toContain(
      `error: Signer ${closed} unreachable: Network error: nothing answers at that address (connection refused) [ECONNREFUSED]`,
    );
    expect(Date.now() - startedAt).toBeLessThan(15_000);
  });

  it('exits 3 in about half a minute, not three, when the signer accepts connections but never answers', async () => {
    const silent = createNetServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const root = await makeFolder({ 'a.txt': 'a' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const startedAt = Date.now();
    const { code, stderr } = await hoistExit(['push', root, '--signer', url, '--token', 't', '--state-dir', stateDir]);
    silent.close();
    expect(code).toBe(3);
    expect(stderr).toContain(`error: Signer ${url} unreachable: Network error: No complete answer within 10000 ms`);
    expect(Date.now() - startedAt).toBeLessThan(45_000);
  }, 60_000);

  it('exits 3 asking whether the URL is a Hoist signer when it answers 404', async () => {
    const notASigner = createServer((_req, res) => res.writeHead(404).end('<h1>Not Found</h1>'));
    await new Promise<void>((resolve) => notASigner.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(notASigner.address() as AddressInfo).port}`;
    const root = await makeFolder({ 'a.txt': 'a' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const { code, stderr } = await hoistExit(['push', root, '--signer', url, '--token', 't', '--state-dir', stateDir]);
    notASigner.close();
    expect({ code, stderr }).toMatchObject({ code: 3 });
    expect(stderr).toContain(`error: Signer answered 404 to /v1/policy: is ${url} a Hoist signer?`);
  });

  it('exits 3 with a readable message when the batch cannot run (token refused), and 0 when all is well', async () => {
    const root = await makeFolder({ 'a.txt': 'a' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const withToken = (token: string) => [root, '--signer', signer.url, '--token', token, '--state-dir', stateDir];
    const refused = await hoistExit(['push', ...withToken('not-a-token')]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: .*token/imu);
    expect(await hoistPush([...withToken(signer.tokens.alice), '--json']).exited).toBe(0);
  });

  it('exits 4 when the policy refuses some files and none fails, saying why; --dry-run sends nothing and follows --ignore', async () => {
    const strict = await rig.signer({ tokens: signer.tokens, policy: { allowedTypes: ['text/plain'] } });
    const root = await makeFolder({ 'ok.txt': 'x', 'no.html': '<p>' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const args = [root, '--signer', strict.url, '--token', strict.tokens.alice, '--state-dir', stateDir, '--json'];
    const before = rig.proxy.requests;
    const dry = hoistPush([...args, '--dry-run']);
    expect(await dry.exited).toBe(0);
    expect(rig.proxy.requests).toBe(before);
    expect(dry.events.find((e) => e.event === 'plan')).toMatchObject({
      upload: { files: 1, bytes: 1, multipart: 0 },
      rejected: [{ path: 'no.html', code: 'type-not-allowed' }],
    });
    const ignoring = hoistPush([...args, '--dry-run', '--ignore', '*.html']);
    expect(await ignoring.exited).toBe(0);
    expect(ignoring.events.find((e) => e.event === 'plan')).toMatchObject({
      upload: { files: 1, bytes: 1, multipart: 0 },
      rejected: [],
      skipped: [{ path: 'no.html' }],
    });
    const real = hoistPush(args);
    // A refusal is not a failure: its own status and exit code, every run, and nothing to retry.
    expect(await real.exited).toBe(4);
    expect(real.events.find((e) => e.event === 'file' && e.path === 'no.html')).toMatchObject({
      status: 'rejected',
      code: 'type-not-allowed',
    });
    expect(real.events.find((e) => e.event === 'end')?.counts).toEqual({
      uploaded: 1,
      skipped: 0,
      rejected: 1,
      failed: 0,
    });
    const child = spawn(process.execPath, ['bin/hoist.js', 'push', ...args.slice(0, -1)]);
    const plain = { stdout: '', status: null as number | null };
    child.stdout.on('data', (d: Buffer) => (plain.stdout += d.toString()));
    plain.status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(plain.status).toBe(4);
    expect(plain.stdout).toContain('refused: no.html: Content type `text/html` is not allowed');
    expect(plain.stdout).toMatch(/: 0 uploaded, 1 skipped \(1 already there\), 1 refused, 0 failed; nothing sent in /u);
    expect(plain.stdout).toContain('\n1 refused: type not allowed (.html ×1)\n');
    // Each refusal is listed once, after the summary.
    expect(plain.stdout.match(/refused: no\.html/gu)).toHaveLength(1);
  });

  it('writes view links into the report only with --links, each fetching the file', async () => {
    const files = { 'a.png': bytes(1500), 'b.txt': Buffer.from('bee') };
    const root = await makeFolder(files);
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const common = [root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir, '--json'];
    const plain = hoistPush([...common, '--report', join(stateDir, 'plain')]);
    expect(await plain.exited).toBe(0);
    const without = JSON.parse(await readFile(join(stateDir, 'plain.json'), 'utf8'));
    expect(without.files.map((f: { viewUrl?: string }) => f.viewUrl)).toEqual([undefined, undefined]);
    const linked = hoistPush([...common, '--report', join(stateDir, 'linked'), '--links']);
    expect(await linked.exited).toBe(0);
    expect(linked.events.find((e) => e.event === 'end')?.links).toMatch(/^in the report, valid until \d{4}-/u);
    const report = JSON.parse(await readFile(join(stateDir, 'linked.json'), 'utf8'));
    for (const file of report.files as { path: keyof typeof files; viewUrl: string }[]) {
      const body = Buffer.from(await (await fetch(file.viewUrl)).arrayBuffer());
      expect(md5Hex(body)).toBe(md5Hex(files[file.path]));
    }
  });

  it('reads the token from --token-file, warns when --token shows it, and keeps its state private', async () => {
    const root = await makeFolder({ 'a.txt': 'private state' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-cli-'));
    const tokenFile = join(stateDir, 'token');
    await writeFile(tokenFile, `${signer.tokens.alice}\n`, { mode: 0o600 });
    const base = [root, '--signer', signer.url, '--state-dir', stateDir, '--json'];
    const fromFile = hoistPush([...base, '--token-file', tokenFile]);
    expect(await fromFile.exited).toBe(0);
    expect(fromFile.events.filter((e) => e.event === 'warning')).toEqual([]);
    const fromFlag = hoistPush([...base, '--token', signer.tokens.alice]);
    expect(await fromFlag.exited).toBe(0);
    expect(fromFlag.events.find((e) => e.event === 'warning')?.message).toContain('--token shows in `ps`');
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    for (const dir of [stateDir, join(stateDir, 'journals'), join(stateDir, 'reports')])
      expect(await mode(dir), dir).toBe(0o700);
    for (const dir of ['journals', 'reports'])
      for (const file of await readdir(join(stateDir, dir)))
        expect(await mode(join(stateDir, dir, file)), file).toBe(0o600);
    const missing = await hoistExit(['push', root, '--signer', signer.url, '--token-file', join(stateDir, 'none')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Cannot read `--token-file`');
  });
});
