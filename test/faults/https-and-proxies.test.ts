import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listKeys, objectMd5 } from '../helpers/bucket';
import { hoistExit, hoistPush } from '../helpers/cli';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { recordFault } from '../helpers/fault-ledger';
import { adminClient } from '../helpers/test-s3';
import { makeCertificates, type TestCertificates } from '../helpers/tls';
import { startTinyproxy, type ForwardProxy } from '../helpers/tinyproxy';

// HTTPS for real: the verifying S3 (radosgw's beast frontend) and the signer both serve TLS with
// certificates from throw-away CAs, and the CLI trusts them only when told to. Proxies for real:
// Debian's tinyproxy, whose log shows every CONNECT and forwarded request it handled.

const s3 = inject('s3');
const tls = s3.tls;
const admin = adminClient(s3);
const MiB = 1024 * 1024;
let signerCerts: TestCertificates;
let httpsSigner: TestSigner;
let httpSigner: TestSigner;
let proxy: ForwardProxy;

// Every variable that could route or trust for the child: set per test, never inherited from this machine.
const clean = {
  HTTPS_PROXY: '',
  HTTP_PROXY: '',
  https_proxy: '',
  http_proxy: '',
  ALL_PROXY: '',
  NO_PROXY: '',
  no_proxy: '',
  NODE_EXTRA_CA_CERTS: '',
  HOIST_CA_FILE: '',
};

beforeAll(async () => {
  signerCerts = await makeCertificates();
  proxy = await startTinyproxy();
  if (tls) {
    httpsSigner = await startTestSigner(s3, {
      publicEndpoint: tls.endpoint,
      tls: { certFile: signerCerts.certFile, keyFile: signerCerts.keyFile },
      policy: { multipartThreshold: 5 * MiB, partSize: 5 * MiB },
    });
  }
  httpSigner = await startTestSigner(s3);
});

afterAll(async () => {
  await httpsSigner?.close();
  await httpSigner.close();
  await proxy.stop();
  admin.destroy();
});

/** One PEM file holding both test CAs: the signer's and the store's. */
async function bothCas(): Promise<string> {
  const bundle = join(await mkdtemp(join(tmpdir(), 'hoist-ca-')), 'cas.pem');
  await writeFile(bundle, `${await readFile(signerCerts.caFile, 'utf8')}${await readFile(tls!.caFile, 'utf8')}`);
  return bundle;
}

/** A folder of small files and one multipart file, and their MD5s by path. */
async function folder(): Promise<{ root: string; md5s: Record<string, string> }> {
  const files: Record<string, Buffer> = { 'a.txt': bytes(1000), 'b/c.bin': bytes(70_000), 'big.bin': bytes(11 * MiB) };
  const md5s = Object.fromEntries(Object.entries(files).map(([path, data]) => [path, md5Hex(data)]));
  return { root: await makeFolder(files), md5s };
}

/** Pushes `root` through `signer` with `args` and `env`; resolves to the exit code and the JSON events. */
async function push(signer: TestSigner, root: string, args: string[], env: NodeJS.ProcessEnv) {
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-https-'));
  const run = hoistPush(
    [root, '--signer', signer.url, '--token', signer.tokens.alice, '--state-dir', stateDir, '--json', ...args],
    { ...clean, ...env },
  );
  const code = await run.exited;
  return { code, events: run.events };
}

/** Checks every file of the folder is in the bucket with its MD5 (a multipart object by its parts' ETag). */
async function expectStored(signer: TestSigner, events: Record<string, any>[], md5s: Record<string, string>) {
  const uploaded = events.filter((e) => e.event === 'file' && e.status === 'uploaded');
  expect(uploaded.map((e) => e.path).sort()).toEqual(Object.keys(md5s).sort());
  for (const e of uploaded) {
    if (e.path === 'big.bin') expect((await listKeys(admin, signer.bucket)).includes(e.key)).toBe(true);
    else expect(await objectMd5(admin, signer.bucket, e.key)).toBe(md5s[e.path]);
  }
}

// Skipped only when HOIST_TEST_S3_ENDPOINT names an outside store, which serves no TLS endpoint of ours;
// the suite's own Ceph always serves one.
describe.runIf(tls)('HTTPS to the signer and to S3', () => {
  it('uploads small and multipart files over TLS when --ca-file names both CAs', async () => {
    const { root, md5s } = await folder();
    const bundle = await bothCas();
    const { code, events } = await push(httpsSigner, root, ['--ca-file', bundle], {});
    expect(code).toBe(0);
    expect(httpsSigner.url.startsWith('https://')).toBe(true);
    await expectStored(httpsSigner, events, md5s);
  });

  it('trusts NODE_EXTRA_CA_CERTS the same way', async () => {
    const { root, md5s } = await folder();
    const bundle = await bothCas();
    const { code, events } = await push(httpsSigner, root, [], { NODE_EXTRA_CA_CERTS: bundle });
    expect(code).toBe(0);
    await expectStored(httpsSigner, events, md5s);
  });

  it('refuses a certificate no trusted CA signed, saying so, and sends nothing', async () => {
    const { root } = await folder();
    // The signer's CA alone: the signer is trusted, the store is not.
    const { code, events } = await push(httpsSigner, root, ['--ca-file', signerCerts.caFile], {});
    expect(code).toBe(1);
    const failed = events.filter((e) => e.event === 'file' && e.status === 'failed');
    expect(failed).toHaveLength(3);
    const refused = failed.filter((e) => /certificate is not trusted/iu.test(e.reason)).length;
    recordFault({
      abuse: 'a store whose TLS certificate no trusted CA signed (a man in the middle)',
      attempts: 3,
      refused,
      by: 'TLS verification: system CAs, NODE_EXTRA_CA_CERTS and --ca-file only; fatal at once',
    });
    expect(refused).toBe(3);
    const batchId = events.find((e) => e.event === 'progress')!.batchId as string;
    expect((await listKeys(admin, httpsSigner.bucket)).filter((key) => key.includes(batchId))).toEqual([]);
  });

  it('goes through HTTPS_PROXY with CONNECT, to the signer and to S3', async () => {
    const { root, md5s } = await folder();
    const bundle = await bothCas();
    const before = (await proxy.requests()).length;
    const { code, events } = await push(httpsSigner, root, ['--ca-file', bundle], { HTTPS_PROXY: proxy.url });
    expect(code).toBe(0);
    await expectStored(httpsSigner, events, md5s);
    const seen = (await proxy.requests()).slice(before);
    const signerHost = new URL(httpsSigner.url).host;
    const s3Host = new URL(tls!.endpoint).host;
    expect(seen).toContain(`CONNECT ${signerHost} HTTP/1.1`);
    expect(seen).toContain(`CONNECT ${s3Host} HTTP/1.1`);
    expect(seen.every((line) => line.startsWith('CONNECT '))).toBe(true);
  });

  it('connects straight to the hosts NO_PROXY lists', async () => {
    const { root, md5s } = await folder();
    const bundle = await bothCas();
    const before = (await proxy.requests()).length;
    const s3Port = new URL(tls!.endpoint).port;
    const { code, events } = await push(httpsSigner, root, ['--ca-file', bundle], {
      HTTPS_PROXY: proxy.url,
      NO_PROXY: `127.0.0.1:${s3Port}`,
    });
    expect(code).toBe(0);
    await expectStored(httpsSigner, events, md5s);
    const seen = (await proxy.requests()).slice(before);
    expect(seen).toContain(`CONNECT ${new URL(httpsSigner.url).host} HTTP/1.1`);
    expect(seen.some((line) => line.includes(`:${s3Port}`))).toBe(false);
  });
});

describe('plain HTTP through HTTP_PROXY', () => {
  it('sends the signer calls and the presigned PUTs as absolute-URI requests through the proxy', async () => {
    const { root, md5s } = await folder();
    const before = (await proxy.requests()).length;
    const { code, events } = await push(httpSigner, root, [], { HTTP_PROXY: proxy.url });
    expect(code).toBe(0);
    await expectStored(httpSigner, events, md5s);
    const seen = (await proxy.requests()).slice(before);
    expect(seen.some((line) => line.startsWith(`POST ${httpSigner.url}/v1/batches`))).toBe(true);
    expect(seen.filter((line) => line.startsWith(`PUT ${s3.endpoint}/`))).toHaveLength(3);
  });
});

describe('--ca-file', () => {
  it('names a file that holds no certificate before anything is sent', async () => {
    const { root } = await folder();
    const notPem = join(root, 'a.txt');
    const { code, stderr } = await hoistExit([
      'push',
      root,
      '--signer',
      httpSigner.url,
      '--token',
      httpSigner.tokens.alice,
      '--ca-file',
      notPem,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain(`Expected \`caFile\` to hold PEM certificates, got \`${notPem}\``);
  });
});
