import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// The engine's requests to a real signer, through a real proxy that sees each one: a batch's JSON goes
// gzipped, and plain again from the first 415 a signer or a proxy before it answers a gzipped body with.

const s3 = inject('s3');
let signer: TestSigner;
let proxy: FaultProxy;
/** Each signing request as it crossed the proxy: its encoding and its bytes on the wire. */
let signings: { encoding: string | undefined; bytes: number }[] = [];

beforeAll(async () => {
  signer = await startTestSigner(s3);
  proxy = await startFaultProxy(signer.url);
});
afterAll(async () => {
  await proxy.close();
  await signer.close();
});

/** Passes every request on, noting each signing request; with `refuseGzip`, answers a gzipped one 415. */
function watch(refuseGzip: boolean): void {
  signings = [];
  proxy.setRule((req) => {
    if (req.url !== '/v1/batches/sign') return { kind: 'pass' };
    const encoding = req.headers['content-encoding'];
    signings.push({ encoding, bytes: Number(req.headers['content-length']) });
    if (refuseGzip && encoding) return { kind: 'status', status: 415, body: '<html>Unsupported</html>' };
    return { kind: 'pass' };
  });
}

async function push(files: number): Promise<number> {
  const folder = await makeFolder(
    Object.fromEntries(Array.from({ length: files }, (_, i) => [`photo-${String(i).padStart(3, '0')}.jpg`, bytes(64)])),
  );
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-bodies-'));
  const engine = new UploadEngine({ signerUrl: proxy.url, token: signer.tokens.alice, stateDir });
  try {
    const report = await engine.batch(folder).run();
    return report.counts.uploaded;
  } finally {
    engine.close();
  }
}

describe("the engine's requests to the signer", () => {
  it('send a batch of many files gzipped, a fifth of its JSON or less, and a small one plain', async () => {
    watch(false);
    expect(await push(60)).toBe(60);
    const signedFiles = signer.logs
      .filter((line) => line.route === '/v1/batches/sign')
      .reduce((sum, line) => sum + Number(line.files ?? 0), 0);
    expect(signedFiles).toBeGreaterThanOrEqual(60);
    const gzipped = signings.filter((s) => s.encoding === 'gzip');
    expect(gzipped.length).toBeGreaterThan(0);
    expect(signings.filter((s) => s.encoding === undefined).every((s) => s.bytes < 1024)).toBe(true);
    // Each file's entry is ~100 bytes of JSON: together, the gzipped requests carry under 30 a file.
    expect(gzipped.reduce((sum, s) => sum + s.bytes, 0)).toBeLessThan(60 * 30);
  });

  it('send them plain once a 415 answers a gzipped one, resending it, and the push loses nothing', async () => {
    watch(true);
    expect(await push(60)).toBe(60);
    const gzipped = signings.filter((s) => s.encoding === 'gzip');
    expect(gzipped.length).toBeGreaterThan(0);
    expect(proxy.injected.status).toBe(gzipped.length);
    // Only those already on their way when the first 415 came back: four signings are in flight at most.
    expect(gzipped.length).toBeLessThanOrEqual(4);
    expect(signings.filter((s) => !s.encoding && s.bytes >= 1024).length).toBeGreaterThanOrEqual(gzipped.length);
    expect(signings.at(-1)!.encoding).toBeUndefined();
  });
});
