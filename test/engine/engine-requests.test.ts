import { mkdtemp } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy';
import { bytes, makeFolder } from '../helpers/folders';
import { useProxiedS3 } from '../helpers/proxied-s3';
import type { TestSigner } from '../helpers/signer';

// The engine's requests seen from outside, by real proxies before the store and the signer: what they
// carry, and how far the engine signs ahead of its uploads (the store's proxy counts the PUTs as they
// start, the signer's notes that count as each sign request comes in).

const rig = useProxiedS3();
let signer: TestSigner;
let signerProxy: FaultProxy;

beforeAll(async () => {
  signer = await rig.signer();
  signerProxy = await startFaultProxy(signer.url);
});
afterAll(() => signerProxy.close());

describe('signing ahead of the uploads', () => {
  it('asks for the next group while signed files still wait for a connection, not once the queue ran dry', async () => {
    let putsStarted = 0;
    // The store's proxy holds each PUT so that uploads, not signing, set the pace.
    rig.proxy.setRule((req) => {
      if (req.method !== 'PUT') return { kind: 'pass' };
      putsStarted += 1;
      return { kind: 'delay', ms: 40 };
    });
    /** The PUTs started when each sign request came in. */
    const putsAtSign: number[] = [];
    signerProxy.setRule((req) => {
      if (req.url === '/v1/batches/sign') putsAtSign.push(putsStarted);
      return { kind: 'pass' };
    });
    const files = 64;
    const folder = await makeFolder(
      Object.fromEntries(Array.from({ length: files }, (_, i) => [`f${String(i).padStart(2, '0')}.bin`, bytes(64)])),
    );
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-sign-ahead-'));
    // Two connections, so 8 files signed ahead; groups of 4, then 8 (the first group, doubling to the size).
    const engine = new UploadEngine({
      signerUrl: signerProxy.url,
      token: signer.tokens.alice,
      stateDir,
      concurrency: 2,
      signBatchSize: 8,
    });
    try {
      expect((await engine.batch(folder).run()).counts.uploaded).toBe(files);
    } finally {
      engine.close();
    }
    const groups = [4, ...Array.from({ length: 7 }, () => 8), 4];
    expect(putsAtSign).toHaveLength(groups.length);
    // Files in earlier sign requests whose PUT had not started yet when each later request came in.
    const waiting = putsAtSign.map((puts, k) => groups.slice(0, k).reduce((sum, n) => sum + n, 0) - puts);
    // Once uploads set the pace, each group is asked for with files still queued behind the two
    // connections; a room counted once, while other groups were being signed, waited for the queue to empty.
    expect(Math.min(...waiting.slice(2))).toBeGreaterThanOrEqual(3);
  });

  it("times the first sign request's round trip and starts the connection budget's climb from it for small files", async () => {
    const push = async (signDelayMs: number, size = 64): Promise<number> => {
      signerProxy.setRule((req) =>
        req.url === '/v1/batches/sign' ? { kind: 'delay', ms: signDelayMs } : { kind: 'pass' },
      );
      const folder = await makeFolder({ 'a.bin': bytes(size), 'b.bin': bytes(size + 1) });
      const stateDir = await mkdtemp(join(tmpdir(), 'hoist-sign-ahead-'));
      const engine = new UploadEngine({ signerUrl: signerProxy.url, token: signer.tokens.alice, stateDir });
      try {
        const batch = engine.batch(folder);
        let connections = 0;
        batch.on('progress', (progress) => (connections = progress.connections));
        expect((await batch.run()).counts.uploaded).toBe(2);
        return connections;
      } finally {
        engine.close();
      }
    };
    // Two files leave every connection but two idle: the budget itself never moves, only the start does.
    expect(await push(0)).toBe(16);
    expect(await push(130)).toBe(64);
    // Files of 300 KiB are held by bytes, not round trips: the start stays.
    expect(await push(130, 300 * 1024)).toBe(16);
  });
});

describe("the engine's requests", () => {
  it('carry no Connection header, and their connections are still kept for the next request', async () => {
    const seen = { store: new Set<Socket>(), signer: new Set<Socket>(), connectionHeaders: [] as string[] };
    let puts = 0;
    rig.proxy.setRule((req) => {
      // The signer's own calls to the store cross this proxy too; the engine's are the PUTs.
      if (req.method !== 'PUT') return { kind: 'pass' };
      puts += 1;
      seen.store.add(req.socket);
      if (req.headers.connection) seen.connectionHeaders.push(`store ${req.headers.connection}`);
      return { kind: 'pass' };
    });
    signerProxy.setRule((req) => {
      seen.signer.add(req.socket);
      if (req.headers.connection) seen.connectionHeaders.push(`signer ${req.headers.connection}`);
      return { kind: 'pass' };
    });
    const folder = await makeFolder(
      Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${String(i).padStart(2, '0')}.bin`, bytes(100 + i)])),
    );
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-headers-'));
    const engine = new UploadEngine({
      signerUrl: signerProxy.url,
      token: signer.tokens.alice,
      stateDir,
      concurrency: 2,
    });
    try {
      expect((await engine.batch(folder).run()).counts.uploaded).toBe(40);
    } finally {
      engine.close();
    }
    expect(puts).toBe(40);
    expect(seen.connectionHeaders).toEqual([]);
    // HTTP/1.1 keeps each connection open by default: two connections to the store carry all 40 PUTs.
    expect(seen.store.size).toBeLessThanOrEqual(2);
    expect(seen.signer.size).toBeLessThanOrEqual(4);
  });
});
