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

/** `count` files named f00.bin, f01.bin, ..., the i-th of `size(i)` bytes. */
const numbered = (count: number, size: (i: number) => number): Record<string, Buffer> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`f${String(i).padStart(2, '0')}.bin`, bytes(size(i))]));

/** Pushes `files` through both proxies; the files uploaded, and the connections the last progress showed. */
async function push(
  files: Record<string, Buffer>,
  options: Partial<ConstructorParameters<typeof UploadEngine>[0]> = {},
): Promise<{ uploaded: number; connections: number }> {
  const folder = await makeFolder(files);
  const stateDir = await mkdtemp(join(tmpdir(), 'hoist-requests-'));
  const engine = new UploadEngine({ signerUrl: signerProxy.url, token: signer.tokens.alice, stateDir, ...options });
  try {
    const batch = engine.batch(folder);
    let connections = 0;
    batch.on('progress', (progress) => (connections = progress.connections));
    return { uploaded: (await batch.run()).counts.uploaded, connections };
  } finally {
    engine.close();
  }
}

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
    // Two connections, so 8 files signed ahead; groups of 4, then 8 (the first group, doubling to the size).
    const { uploaded } = await push(
      numbered(files, () => 64),
      { concurrency: 2, signBatchSize: 8 },
    );
    expect(uploaded).toBe(files);
    const groups = [4, ...Array.from({ length: 7 }, () => 8), 4];
    expect(putsAtSign).toHaveLength(groups.length);
    // Files in earlier sign requests whose PUT had not started yet when each later request came in.
    const waiting = putsAtSign.map((puts, k) => groups.slice(0, k).reduce((sum, n) => sum + n, 0) - puts);
    // Once uploads set the pace, each group is asked for with files still queued behind the two
    // connections; a room counted once, while other groups were being signed, waited for the queue to empty.
    expect(Math.min(...waiting.slice(2))).toBeGreaterThanOrEqual(3);
  });

  it("times the first sign request's round trip and starts the connection budget's climb from it for small files", async () => {
    const startWith = async (signDelayMs: number, size = 64): Promise<number> => {
      signerProxy.setRule((req) =>
        req.url === '/v1/batches/sign' ? { kind: 'delay', ms: signDelayMs } : { kind: 'pass' },
      );
      const { uploaded, connections } = await push(numbered(2, (i) => size + i));
      expect(uploaded).toBe(2);
      return connections;
    };
    // Two files leave every connection but two idle: the budget itself never moves, only the start does.
    expect(await startWith(0)).toBe(16);
    expect(await startWith(130)).toBe(64);
    // Files of 300 KiB are held by bytes, not round trips: the start stays.
    expect(await startWith(130, 300 * 1024)).toBe(16);
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
    expect(
      (
        await push(
          numbered(40, (i) => 100 + i),
          { concurrency: 2 },
        )
      ).uploaded,
    ).toBe(40);
    expect(puts).toBe(40);
    expect(seen.connectionHeaders).toEqual([]);
    // HTTP/1.1 keeps each connection open by default: two connections to the store carry all 40 PUTs.
    expect(seen.store.size).toBeLessThanOrEqual(2);
    expect(seen.signer.size).toBeLessThanOrEqual(4);
  });
});
