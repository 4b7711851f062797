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

// What the engine's requests carry, seen by real proxies before the store and the signer.

const rig = useProxiedS3();
let signer: TestSigner;
let signerProxy: FaultProxy;

beforeAll(async () => {
  signer = await rig.signer();
  signerProxy = await startFaultProxy(signer.url);
});
afterAll(() => signerProxy.close());

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
