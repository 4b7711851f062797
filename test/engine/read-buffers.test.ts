import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connections } from '../../src/engine/transfer/connections';
import { putRange } from '../../src/engine/transfer/put-range';
import { bufferSizeFor, READ_BYTES, ReadBuffers } from '../../src/engine/transfer/read-buffers';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';

describe('read buffers', () => {
  it('hands a buffer given back to the next range of its size, and keeps at most `keepBytes` idle', () => {
    const buffers = new ReadBuffers({ keepBytes: 2 * READ_BYTES });
    const [a, b, c] = [buffers.take(READ_BYTES), buffers.take(5 * READ_BYTES), buffers.take(READ_BYTES)];
    expect([a.length, b.length, c.length]).toEqual([READ_BYTES, READ_BYTES, READ_BYTES]);
    expect(new Set([a, b, c]).size).toBe(3);
    for (const buffer of [a, b, c]) buffers.give(buffer);
    expect(buffers.idleBytes).toBe(2 * READ_BYTES);
    const again = [buffers.take(READ_BYTES), buffers.take(READ_BYTES)];
    expect(again.includes(a) && again.includes(b)).toBe(true);
    expect(buffers.take(READ_BYTES) === c).toBe(false);
    buffers.clear();
  });

  it('gives a range at most twice its size (64 KiB at least), and never a buffer of another size', () => {
    expect(
      [1, 65_536, 65_537, 100_000, 600_000, READ_BYTES - 1, READ_BYTES, 16 * READ_BYTES].map(bufferSizeFor),
    ).toEqual([65_536, 65_536, 131_072, 131_072, 1_048_576, 1_048_576, 1_048_576, 1_048_576]);
    const buffers = new ReadBuffers();
    const small = buffers.take(100_000);
    expect(small.length).toBe(131_072);
    buffers.give(small);
    expect(buffers.take(READ_BYTES) === small).toBe(false);
    expect(buffers.take(70_000) === small).toBe(true);
    buffers.give(Buffer.alloc(100_000));
    expect(buffers.idleBytes).toBe(0);
    buffers.clear();
  });

  it('lets idle buffers go once none has been taken for a while, and a take puts that off', async () => {
    const buffers = new ReadBuffers({ idleMs: 100 });
    buffers.give(buffers.take(READ_BYTES));
    await new Promise((resolve) => setTimeout(resolve, 60));
    buffers.give(buffers.take(READ_BYTES));
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(buffers.idleBytes).toBe(READ_BYTES);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(buffers.idleBytes).toBe(0);
  });

  it('refuses a bad `keepBytes` or `idleMs`, naming it', () => {
    expect(() => new ReadBuffers({ keepBytes: -1 })).toThrow(
      'Expected `keepBytes` to be a whole number from 0 and up, got `-1`',
    );
    expect(() => new ReadBuffers({ idleMs: 0 })).toThrow('Expected `idleMs` to be a number from 1 and up, got `0`');
  });
});

describe('a streamed PUT', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    // Answers each PUT with the MD5 of the body it got; a PUT to /cut is cut off after its first bytes.
    server = createServer((req, res) => {
      const hash = createHash('md5');
      let got = 0;
      req.on('data', (chunk: Buffer) => {
        got += chunk.length;
        hash.update(chunk);
        if (req.url === '/cut' && got > 100_000) req.socket.destroy();
      });
      req.on('end', () => {
        const md5 = hash.digest('hex');
        res.setHeader('etag', `"${md5}"`);
        res.end();
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const put = (buffers: ReadBuffers, connections: Connections, path: string, file: string, length: number) =>
    putRange({
      url: `${url}${path}`,
      headers: { 'content-length': String(length) },
      file,
      start: 0,
      length,
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
      connections,
      buffers,
      stallMs: 30_000,
      signal: new AbortController().signal,
      onBytes: () => undefined,
    });

  it('sends each file whole through buffers that others have used, at once and one after another', async () => {
    const sources = Array.from({ length: 12 }, (_, i) => bytes(200_000 + i * 150_000));
    const folder = await makeFolder(Object.fromEntries(sources.map((source, i) => [`f${i}.bin`, source])));
    const buffers = new ReadBuffers();
    const connections = new Connections({ maxSockets: 4 });
    try {
      for (const round of [0, 1]) {
        const etags = await Promise.all(
          sources.map((source, i) =>
            put(buffers, connections, `/r${round}/${i}`, join(folder, `f${i}.bin`), source.length),
          ),
        );
        expect(etags).toEqual(sources.map((source) => `"${md5Hex(source)}"`));
        expect(buffers.idleBytes).toBeGreaterThan(0);
        expect(buffers.idleBytes).toBeLessThanOrEqual(
          sources.reduce((sum, source) => sum + bufferSizeFor(source.length), 0),
        );
      }
    } finally {
      connections.destroy();
      buffers.clear();
    }
  });

  it('keeps no buffer from a PUT the connection dropped', async () => {
    const folder = await makeFolder({});
    const file = join(folder, 'big.bin');
    await writeFile(file, bytes(3 * READ_BYTES));
    const buffers = new ReadBuffers();
    const connections = new Connections({ maxSockets: 1 });
    try {
      await expect(put(buffers, connections, '/cut', file, 3 * READ_BYTES)).rejects.toThrow();
      expect(buffers.idleBytes).toBe(0);
      await put(buffers, connections, '/whole', file, 3 * READ_BYTES);
      expect(buffers.idleBytes).toBe(READ_BYTES);
    } finally {
      connections.destroy();
      buffers.clear();
    }
  });
});
