import { get } from 'node:https';
import { readFile, mkdtemp } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listKeys } from '../helpers/bucket';
import { hoistPush } from '../helpers/cli';
import { makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';
import { makeCertificates, type TestCertificates } from '../helpers/tls';

const s3 = inject('s3');
const admin = adminClient(s3);
let certs: TestCertificates;
let signer: TestSigner;

beforeAll(async () => {
  certs = await makeCertificates();
  signer = await startTestSigner(s3, { tls: { certFile: certs.certFile, keyFile: certs.keyFile } });
});
afterAll(async () => {
  await signer.close();
  admin.destroy();
});

/** GET over HTTPS trusting only `ca`; resolves to the status and body. */
function getTrusting(url: string, ca: Buffer, token: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { ca, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    }).on('error', reject);
  });
}

describe('the signer over HTTPS', () => {
  it('serves its API with the given certificate, which a client trusting the CA accepts', async () => {
    expect(signer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/u);
    const res = await getTrusting(`${signer.url}/v1/policy`, await readFile(certs.caFile), signer.tokens.alice);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ user: 'alice' });
  });

  it('is refused by a client that does not trust the CA, and answers no plain HTTP', async () => {
    await expect(fetch(`${signer.url}/healthz`)).rejects.toThrow();
    const plain = await new Promise<string>((resolve) => {
      const req = request(signer.url.replace('https:', 'http:') + '/healthz', (res) => resolve(String(res.statusCode)));
      req.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
      req.end();
    });
    expect(plain).not.toBe('200');
  });

  it('takes a hoist push whose client trusts the CA through NODE_EXTRA_CA_CERTS', async () => {
    const root = await makeFolder({ 'a.txt': 'over tls', 'b/c.png': 'png' });
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-tls-cli-'));
    const run = hoistPush(
      [root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir, '--json'],
      { NODE_EXTRA_CA_CERTS: certs.caFile },
    );
    expect(await run.exited).toBe(0);
    const end = run.events.find((e) => e.event === 'end');
    expect(end?.counts).toEqual({ uploaded: 2, skipped: 0, rejected: 0, failed: 0 });
    expect((await listKeys(admin, signer.bucket, `users/alice/${end!.batchId}/`)).sort()).toEqual([
      `users/alice/${end!.batchId}/a.txt`,
      `users/alice/${end!.batchId}/b/c.png`,
    ]);
  });
});
