import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { replayDockerfile, runInImage } from '../helpers/dockerfile-replay';
import { md5Base64 } from '../helpers/hash';
import { freePort } from '../helpers/net';
import { startTestRedis, type TestRedis } from '../helpers/redis';
import { createTestBucket } from '../helpers/test-s3';

// The deployment files an admin uses, checked here: this machine has no Docker engine, so the Dockerfile
// is replayed stage by stage in folders, and the compose file's environment starts what it built.
const run = promisify(execFile);
const s3 = inject('s3');
const repo = join(import.meta.dirname, '../..');
const deploy = join(repo, 'signer-server/deploy');

/** What `systemd-analyze verify` says of a unit file: nothing for a good one (it exits 0 either way). */
async function verifyUnit(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'hoist-unit-'));
  const file = join(dir, 'hoist-signer.service');
  await writeFile(file, text);
  const { stdout, stderr } = await run('systemd-analyze', ['verify', file]);
  return (stdout + stderr).trim();
}

describe('the systemd unit', () => {
  it('passes systemd-analyze verify, which does catch a broken one', async () => {
    const unit = await readFile(join(deploy, 'hoist-signer.service'), 'utf8');
    expect(await verifyUnit(unit)).toBe('');
    expect(await verifyUnit(unit.replace('KillSignal=SIGTERM', 'KillSignal=SIGNOPE'))).toContain('SIGNOPE');
    expect(unit).toMatch(/^Type=exec$/mu);
    expect(unit).toMatch(/^DynamicUser=yes$/mu);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/mu);
  });
});

describe('the Dockerfile and the compose file', () => {
  let redis: TestRedis | undefined;
  afterAll(async () => redis?.stop());

  // Two `npm ci` and a build: about 30 s alone, more beside the other suites.
  it(
    'build a signer that starts from the documented config example with Redis, is healthy, signs, and stops on SIGTERM',
    { timeout: 240_000 },
    async () => {
      const image = await replayDockerfile(join(deploy, 'Dockerfile'), repo);
      expect(image.user).toBe('node');
      expect(image.stopSignal).toBe('SIGTERM');
      const compose = parse(await readFile(join(deploy, 'compose.yaml'), 'utf8')) as {
        services: { signer: { build: { dockerfile: string }; environment: Record<string, string> } };
      };
      expect(compose.services.signer.build.dockerfile).toBe('signer-server/deploy/Dockerfile');

      // The config example with its placeholders filled in, where the compose file mounts it.
      const token = `hoist_${randomBytes(24).toString('base64url')}`;
      const hash = (
        await run(
          'bash',
          [
            '-c',
            `printf '%s\\n' "$T" | node ${join(image.root, 'app/signer-server/dist/hoist-signer.mjs')} token hash`,
          ],
          { env: { ...process.env, T: token } },
        )
      ).stdout.trim();
      const bucket = await createTestBucket(s3);
      const example = await readFile(join(deploy, 'signer.example.json'), 'utf8');
      // The signer's admin guide shows this very example.
      expect(await readFile(join(repo, 'docs', 'signer-admin.md'), 'utf8')).toContain(example.trim());
      const filled = example
        .replace('<signer host name>', 'signer.example.com')
        .replace('<bucket name>', bucket)
        .replace('<region, e.g. eu-west-1>', s3.region)
        .replace('<role ARN, or remove this line>', s3.roleArn ?? '')
        .replace(/<hash printed by: hoist-signer token new[^>]*>/u, hash)
        .replace(/<output of: openssl rand -hex 32[^>]*>/u, randomBytes(32).toString('hex'))
        .replace(/<hash printed by: hoist-signer token hash[^>]*>/u, hash);
      expect(filled).not.toMatch(/<[^>]+>/u);
      await mkdir(join(image.root, 'config'), { recursive: true });
      await writeFile(join(image.root, 'config/signer.json'), filled);

      redis = await startTestRedis();
      const port = await freePort();
      const composed = Object.fromEntries(
        Object.entries(compose.services.signer.environment).map(([name, value]) => [
          name,
          value
            .replace('${AWS_ACCESS_KEY_ID}', s3.accessKeyId)
            .replace('${AWS_SECRET_ACCESS_KEY}', s3.secretAccessKey)
            .replace('redis://redis:6379', redis!.url)
            .replace(/^\/config\//u, `${image.root}/config/`),
        ]),
      );
      const child = runInImage(image, image.entrypoint, {
        ...composed,
        // The test store instead of AWS, and a free port instead of the image's 8787.
        HOIST_S3_ENDPOINT: s3.endpoint,
        HOIST_S3_FORCE_PATH_STYLE: 'true',
        HOIST_SIGNER_PORT: String(port),
        AWS_EC2_METADATA_DISABLED: 'true',
      });
      let output = '';
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
      try {
        const healthy = async (): Promise<boolean> => {
          const check = runInImage(image, image.healthcheck, { HOIST_SIGNER_PORT: String(port) });
          return (await new Promise<number | null>((resolve) => check.on('exit', resolve))) === 0;
        };
        await expect.poll(healthy, { timeout: 20_000, interval: 250 }).toBe(true);
        expect(output).toContain('"event":"started"');
        const url = `http://127.0.0.1:${port}`;
        const policy = await fetch(`${url}/v1/policy`, { headers: { authorization: `Bearer ${token}` } });
        expect(await policy.json()).toMatchObject({ user: 'ana', prefix: 'users/ana', maxFileSize: 10 * 1024 ** 3 });
        const body = Buffer.from('compose');
        const signed = await fetch(`${url}/v1/batches/sign`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            batch: 'b1',
            files: [{ path: 'a.png', size: body.length, type: 'image/png', md5: md5Base64(body) }],
          }),
        });
        const [file] = ((await signed.json()) as { files: { status: string; url: string }[] }).files;
        expect(file!.status).toBe('put');
        if (s3.roleArn) expect(file!.url).toContain('X-Amz-Security-Token');
        child.kill(image.stopSignal);
        expect(await exited).toBe(0);
      } finally {
        child.kill('SIGKILL');
      }
    },
  );
});
