import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { listKeys } from '../helpers/bucket';
import { recordFault } from '../helpers/fault-ledger';
import { makeFolder } from '../helpers/folders';
import { md5Base64 } from '../helpers/hash';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// The client trusts only what it must: what a folder's symlinks point at, and what a signer answers.
const s3 = inject('s3');
const admin = adminClient(s3);
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3);
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

/** Records a case and asserts every attempt was refused. */
function refusedAll(abuse: string, by: string, outcomes: boolean[]): void {
  const refused = outcomes.filter(Boolean).length;
  recordFault({ abuse, attempts: outcomes.length, refused, by });
  expect(refused).toBe(outcomes.length);
}

const engineFor = async (signerUrl: string, token: string, extra = {}) =>
  new UploadEngine({
    signerUrl,
    token,
    stateDir: await mkdtemp(join(tmpdir(), 'hoist-state-')),
    concurrency: 2,
    retry: { retries: 1, minDelayMs: 10, maxDelayMs: 20 },
    ...extra,
  });

/** A folder holding a link to a private file and a link to a folder, both outside it, and safe links inside. */
async function folderWithOutsideLinks() {
  const outside = await makeFolder({ '.ssh/id_rsa': '-----BEGIN OPENSSH PRIVATE KEY-----', 'shared/doc.txt': 'doc' });
  const root = await makeFolder({ 'a/one.txt': 'one' });
  await symlink(join(outside, '.ssh/id_rsa'), join(root, 'holiday.png'));
  await symlink(join(outside, 'shared'), join(root, 'linked'));
  await symlink(join(root, 'a/one.txt'), join(root, 'inside.txt'));
  await symlink(root, join(root, 'a/loop'));
  return { root, outside };
}

describe('symlinks', () => {
  it('skips links that lead outside the folder, naming the target, and follows those inside', async () => {
    const { root, outside } = await folderWithOutsideLinks();
    const engine = await engineFor(signer.url, signer.tokens.alice);
    const report = await engine.batch(root).run();
    engine.close();
    const byPath = Object.fromEntries([...report.files].map((f) => [f.path, f]));
    expect(byPath['holiday.png']).toMatchObject({ status: 'skipped', code: 'symlink-outside' });
    expect(byPath['holiday.png']!.reason).toContain(join(outside, '.ssh/id_rsa'));
    // Said in words both front ends share: the window shows it too, where no command-line flag exists.
    expect(byPath['holiday.png']!.reason).toContain('following symlinks that lead outside is off');
    expect(byPath['linked']).toMatchObject({ status: 'skipped', code: 'symlink-outside' });
    expect(byPath['a/loop']).toMatchObject({ status: 'skipped', code: 'symlink-loop' });
    expect(byPath['inside.txt']).toMatchObject({ status: 'uploaded' });
    const keys = await listKeys(admin, signer.bucket, `users/alice/${report.batchId}/`);
    expect(keys.sort()).toEqual([
      `users/alice/${report.batchId}/a/one.txt`,
      `users/alice/${report.batchId}/inside.txt`,
    ]);
    refusedAll('symlink to a private file or folder outside the upload', 'scan: skipped, target named', [
      byPath['holiday.png']!.status === 'skipped',
      byPath['linked']!.status === 'skipped',
    ]);
  });

  it('follows them when told to, and still never loops', async () => {
    const { root } = await folderWithOutsideLinks();
    const engine = await engineFor(signer.url, signer.tokens.alice);
    const report = await engine.batch(root, { followSymlinks: true }).run();
    engine.close();
    const byPath = Object.fromEntries([...report.files].map((f) => [f.path, f]));
    expect(byPath['holiday.png']?.status).toBe('uploaded');
    expect(byPath['linked/doc.txt']?.status).toBe('uploaded');
    expect(byPath['a/loop']?.code).toBe('symlink-loop');
  });
});

/** A signer that answers the policy truly and signing with whatever `answer` says; records nothing else. */
async function misbehavingSigner(
  answer: (path: string, body: any) => unknown,
): Promise<{ url: string; server: Server }> {
  const policy = {
    user: 'mallory-victim',
    prefix: 'users/victim',
    maxFileSize: 1e9,
    allowedTypes: ['*/*'],
    maxFilesPerBatch: 100,
    maxBodyBytes: 1e6,
    multipartThreshold: 64 * 1024 * 1024,
    partSize: 16 * 1024 * 1024,
    putUrlTtlSeconds: 900,
    viewUrlTtlSeconds: 3600,
    overwrite: false,
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const body = path === '/v1/policy' ? policy : answer(path, text ? JSON.parse(text) : undefined);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A server that must never hear from the engine: it counts every request it gets. */
async function victim(): Promise<{ url: string; requests: IncomingMessage[]; server: Server }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    req.resume();
    res.writeHead(200, { etag: '"x"' }).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
}

const close = (server: Server) => new Promise<void>((done) => server.close(() => done()));

describe('a signer that misbehaves', () => {
  it('makes the batch fail at once, naming the bad value, and nothing reaches any other address', async () => {
    const target = await victim();
    const putFor = (url: string, headers: Record<string, string>) => (path: string, body: any) =>
      path === '/v1/batches/sign'
        ? {
            files: body.files.map((f: any) => ({
              status: 'put',
              path: f.path,
              key: `users/victim/${body.batch}/${f.path}`,
              url,
              headers: { 'content-type': f.type, 'content-length': String(f.size), ...headers },
              expiresAt: new Date(Date.now() + 60_000).toISOString(),
            })),
          }
        : {};
    const cases: [string, ReturnType<typeof putFor>, string][] = [
      ['injected cookie header', putFor(`${target.url}/internal-metadata/x`, { cookie: 'session=steal' }), '`cookie`'],
      ['injected x-evil header', putFor(`${target.url}/internal-metadata/x`, { 'x-evil': '1' }), '`x-evil`'],
      ['file: URL', putFor('file:///etc/passwd', {}), '`file:///etc/passwd`'],
      ['ftp: URL', putFor(`ftp://127.0.0.1/x`, {}), '`ftp://127.0.0.1/x`'],
      ['an unparsable URL', putFor('http://[::1', {}), 'does not parse'],
      // Linux connects 0.0.0.0 to this machine, so the victim would hear it: "any address" is no loopback one (N11).
      ['http to 0.0.0.0', putFor(`${target.url.replace('127.0.0.1', '0.0.0.0')}/x`, {}), '`http://0.0.0.0:'],
    ];
    const outcomes: boolean[] = [];
    for (const [name, answer, named] of cases) {
      const bad = await misbehavingSigner(answer);
      const root = await makeFolder({ 'a.txt': 'secret a', 'b.txt': 'secret b', 'c.txt': 'secret c' });
      const engine = await engineFor(bad.url, 'token');
      const started = performance.now();
      const run = engine.batch(root).run();
      await expect(run, name).rejects.toMatchObject({ code: 'signer-protocol' });
      await expect(run, name).rejects.toThrow(named);
      expect(performance.now() - started, name).toBeLessThan(5000);
      engine.close();
      await close(bad.server);
      outcomes.push(target.requests.length === 0);
    }
    await close(target.server);
    expect(target.requests).toEqual([]);
    refusedAll(
      'signer answer pointing uploads elsewhere (URL scheme, headers)',
      'engine: batch fails, nothing sent',
      outcomes,
    );
  });

  it('keeps no view link that is not http(s), and signs no part URL with foreign headers', async () => {
    const bad = await misbehavingSigner((path) =>
      path === '/v1/links'
        ? {
            links: [
              {
                status: 'ok',
                key: 'k',
                url: 'javascript:alert(document.cookie)',
                expiresAt: 'x',
                disposition: 'inline',
                etag: '"e"',
                size: 1,
                contentType: 'text/plain',
              },
            ],
          }
        : {
            parts: [
              { partNumber: 1, url: 'https://s3.example/p', headers: { authorization: 'AWS4 stolen' }, expiresAt: 'x' },
            ],
          },
    );
    const engine = await engineFor(bad.url, 'token');
    const link = engine.signer.links(['k']);
    const part = engine.signer.signParts('t', [{ partNumber: 1, size: 5, md5: md5Base64('12345') }]);
    await expect(link).rejects.toThrow('the view link `javascript:…`');
    await expect(part).rejects.toThrow('the header `authorization`');
    engine.close();
    await close(bad.server);
    refusedAll('signer answer with a javascript: link or foreign part headers', 'engine: signer-protocol error', [
      await link.then(
        () => false,
        () => true,
      ),
      await part.then(
        () => false,
        () => true,
      ),
    ]);
  });

  it('is never sent the token over plain http off this machine, unless told to', async () => {
    const make = (extra = {}) => new UploadEngine({ signerUrl: 'http://signer.example.com', token: 't', ...extra });
    expect(() => make()).toThrow('crosses the network in the clear');
    const allowed = make({ allowHttp: true });
    allowed.close();
    expect(() => new UploadEngine({ signerUrl: 'http://[::1]:9/', token: 't' }).close()).not.toThrow();
  });
});

describe('state on disk', () => {
  it('keeps journals and reports private: folders 0700, files 0600', async () => {
    const root = await makeFolder({ 'a.txt': 'a' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-state-'));
    await mkdir(join(stateDir, 'journals'), { mode: 0o755 });
    const engine = await engineFor(signer.url, signer.tokens.alice, { stateDir });
    const batch = engine.batch(root);
    await batch.run();
    engine.close();
    const { writeReport, makePrivateDir } = await import('../../src/engine');
    makePrivateDir(join(stateDir, 'reports'));
    const reportBase = join(stateDir, 'reports', batch.id);
    await writeFile(`${reportBase}.json`, 'an earlier, world-readable report', { mode: 0o644 });
    await writeReport(batch.report(), reportBase);
    const mode = async (path: string) => (await stat(path)).mode & 0o777;
    expect(await mode(join(stateDir, 'journals'))).toBe(0o700);
    expect(await mode(join(stateDir, 'journals', `${batch.id}.jsonl`))).toBe(0o600);
    expect(await mode(join(stateDir, 'reports'))).toBe(0o700);
    expect(await mode(`${reportBase}.json`)).toBe(0o600);
    expect(await mode(`${reportBase}.csv`)).toBe(0o600);
  });
});
