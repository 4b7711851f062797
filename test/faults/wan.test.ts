import { mkdtemp } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { listKeys } from '../helpers/bucket';
import { isPresignedPut, startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { expectNothingLost } from '../helpers/fault-rig';
import { bytes, makeFolder } from '../helpers/folders';
import { startLink, type EmulatedLink } from '../helpers/link-emulator';
import { startTestSigner, type TestSigner } from '../helpers/signer';
import { adminClient } from '../helpers/test-s3';

// The automatic connection budget against real parts: the verifying S3 reached through the link
// emulator (40 ms round trip), where 8 connections leave most of the path idle, behind a fault proxy on
// the client's side of the link, which sees every PUT the engine has in flight.

const s3 = inject('s3');
const admin = adminClient(s3);
let proxy: FaultProxy;
let link: EmulatedLink;
let signer: TestSigner;
let root: string;
const FILES = 600;
const sources: Record<string, Buffer> = Object.fromEntries(
  Array.from({ length: FILES }, (_, i) => [`d${i % 6}/f${i}.bin`, bytes(4096)]),
);

beforeAll(async () => {
  const store = new URL(s3.endpoint);
  link = await startLink([{ host: store.hostname, port: Number(store.port) }], {
    name: '40 ms',
    delayMs: 20,
    bitsPerSecond: 1e9,
  });
  proxy = await startFaultProxy(`http://${link.addresses[0]}`);
  signer = await startTestSigner(s3, { publicEndpoint: proxy.url });
  root = await makeFolder(sources);
});

afterEach(() => proxy.setRule(() => ({ kind: 'pass' })));

afterAll(async () => {
  await signer.close();
  await proxy.close();
  await link.close();
  admin.destroy();
});

/** Pushes the folder with `concurrency`; resolves to the report, the connection counts seen, and the keys stored. */
async function push(concurrency: number | 'auto') {
  const engine = new UploadEngine({
    signerUrl: signer.url,
    token: signer.tokens.alice,
    stateDir: await mkdtemp(join(tmpdir(), 'hoist-adaptive-')),
    concurrency,
    retry: { retries: 8, minDelayMs: 50, maxDelayMs: 500 },
    proxy: () => undefined,
  });
  try {
    const batch = engine.batch(root);
    const seen: number[] = [];
    batch.on('progress', (p) => seen.push(p.connections));
    const report = await batch.run();
    const keys = (await listKeys(admin, signer.bucket)).filter((key) => key.includes(batch.id));
    return { report, seen, keys };
  } finally {
    engine.close();
  }
}

/** The most sign requests the signer had in flight at once while `run` ran, seen by a proxy in front of it. */
async function signRequestsInFlight(run: (signerUrl: string) => Promise<void>): Promise<number> {
  const front = await startFaultProxy(signer.url);
  const far = new URL(front.url);
  const signerLink = await startLink([{ host: far.hostname, port: Number(far.port) }], {
    name: '120 ms',
    delayMs: 60,
    bitsPerSecond: 1e9,
  });
  const state = { inFlight: 0, most: 0 };
  front.setRule((req: IncomingMessage, _index, res: ServerResponse) => {
    if (req.url === '/v1/batches/sign') {
      state.inFlight += 1;
      state.most = Math.max(state.most, state.inFlight);
      res.once('close', () => (state.inFlight -= 1));
    }
    return { kind: 'pass' };
  });
  try {
    await run(`http://${signerLink.addresses[0]}`);
  } finally {
    await signerLink.close();
    await front.close();
  }
  return state.most;
}

/** Counts PUTs at S3 in flight at once; above `limit`, answers 503 SlowDown as S3 does when overloaded. */
function slowDownAbove(limit: number) {
  const state = { inFlight: 0, most: 0, refused: 0, files: new Set<string>() };
  proxy.setRule((req: IncomingMessage, _index, res: ServerResponse) => {
    if (!isPresignedPut(req)) return { kind: 'pass' };
    if (state.inFlight >= limit) {
      state.refused += 1;
      state.files.add((req.url ?? '').split('?')[0]!);
      return {
        kind: 'status',
        status: 503,
        body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>',
      };
    }
    state.inFlight += 1;
    state.most = Math.max(state.most, state.inFlight);
    res.once('close', () => (state.inFlight -= 1));
    return { kind: 'pass' };
  });
  return state;
}

describe('the automatic connection budget', () => {
  it('opens more connections than the fixed 8 on a long round trip, and every file arrives', async () => {
    const fixed = await push(8);
    expect(new Set(fixed.seen)).toEqual(new Set([8]));
    const auto = await push('auto');
    expect(auto.report.counts).toMatchObject({ uploaded: FILES, failed: 0 });
    expect(auto.keys).toHaveLength(FILES);
    expect(auto.seen[0]).toBe(16);
    expect(Math.max(...auto.seen)).toBeGreaterThanOrEqual(32);
  });

  it('signs ahead with several requests in flight, so a signer 120 ms away never leaves the connections idle', async () => {
    const most = await signRequestsInFlight(async (signerUrl) => {
      const engine = new UploadEngine({
        signerUrl,
        token: signer.tokens.alice,
        stateDir: await mkdtemp(join(tmpdir(), 'hoist-adaptive-')),
        proxy: () => undefined,
      });
      try {
        const report = await engine.batch(root).run();
        expect(report.counts).toMatchObject({ uploaded: FILES, failed: 0 });
      } finally {
        engine.close();
      }
    });
    expect(most).toBeGreaterThanOrEqual(2);
    expect(most).toBeLessThanOrEqual(4);
  });

  it('backs off when S3 answers 503 SlowDown, and still uploads every file', async () => {
    // Pinned above what the server takes, an engine is refused again and again.
    const pinned = slowDownAbove(12);
    await push(16);
    const server = slowDownAbove(12);
    const { report, seen, keys } = await push('auto');
    expect(report.counts).toMatchObject({ uploaded: FILES, failed: 0 });
    expect(keys).toHaveLength(FILES);
    await expectNothingLost(
      'S3 503 SlowDown above 12 PUTs in flight, 40 ms away (automatic budget)',
      { injected: server.refused, filesAffected: server.files.size },
      admin,
      signer.bucket,
      report,
      sources,
    );
    // It went past what the server takes (refused), was told so, and spent most of the run under it,
    // probing above only a step at a time and never past the first doubling that was refused.
    expect(server.refused).toBeGreaterThan(0);
    expect(server.refused * 4).toBeLessThan(pinned.refused);
    expect(seen.filter((level) => level > 12).length * 2).toBeLessThan(seen.length);
    expect(Math.max(...seen)).toBeLessThanOrEqual(16);
    // A burst of 503s is one cut, not one per refused PUT: it never fell to the floor of 4.
    expect(Math.min(...seen)).toBeGreaterThan(4);
  });
});
