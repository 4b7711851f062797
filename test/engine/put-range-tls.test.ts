import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asUploadError } from '../../src/engine/errors';
import { Connections } from '../../src/engine/transfer/connections';
import { putRange } from '../../src/engine/transfer/put-range';
import { ReadBuffers } from '../../src/engine/transfer/read-buffers';
import { makeFolder } from '../helpers/folders';
import { makeCertificates } from '../helpers/tls';

// On Node 24 a write to a TLS socket whose handshake failed answers EBADF; that error must never hide the
// certificate error, which is fatal at once, behind a retryable one (found running the suite on Node 24).
let server: Server;
let url: string;
let folder: string;
let unrelatedCa: string;

beforeAll(async () => {
  const certificates = await makeCertificates();
  server = createServer(
    { cert: readFileSync(certificates.certFile), key: readFileSync(certificates.keyFile) },
    (req, res) => {
      req.resume();
      req.on('end', () => res.end());
    },
  );
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/bucket/key`;
  folder = await makeFolder({});
  unrelatedCa = readFileSync((await makeCertificates()).caFile, 'utf8');
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('a PUT to a server whose certificate no trusted CA signed', () => {
  it.each([
    ['in memory', 1000, true, false],
    ['streamed, one write', 60_000, false, false],
    ['streamed, several writes', 70_000, false, false],
    ['streamed, several reads', 3_000_000, false, false],
    ['in memory, with an extra CA', 1000, true, true],
    ['streamed, with an extra CA', 70_000, false, true],
  ])('fails at once as untrusted-certificate (%s, %i bytes)', async (_name, size, inMemory, extraCa) => {
    const file = join(folder, `f-${size}.bin`);
    const bytes = Buffer.alloc(size, 7);
    await writeFile(file, bytes);
    // The system's CAs alone, or with an extra one (any), as `--ca-file` gives.
    const connections = new Connections({ maxSockets: 4, ca: extraCa ? unrelatedCa : undefined });
    const started = performance.now();
    const error = await putRange({
      url,
      headers: { 'content-length': String(size) },
      file,
      ...(inMemory ? { bytes } : {}),
      start: 0,
      length: size,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      connections,
      buffers: new ReadBuffers(),
      stallMs: 30_000,
      signal: new AbortController().signal,
      onBytes: () => undefined,
    }).catch((failure: unknown) => failure);
    connections.destroy();
    expect(asUploadError(error).code).toBe('untrusted-certificate');
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
