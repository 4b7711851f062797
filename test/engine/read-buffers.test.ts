import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connections } from '../../src/engine/transfer/connections';
import { putRange } from '../../src/engine/transfer/put-range';
import { READ_BYTES, ReadBuffers } from '../../src/engine/transfer/read-buffers';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';

describe('read buffers', () => {
  it('hands a buffer given back to the next taker, and keeps at most `keep` idle', () => {
    const buffers = new ReadBuffers({ keep: 2 });
    const [a, b, c] = [buffers.take(), buffers.take(), buffers.take()];
    expect(a.length).toBe(READ_BYTES);
    expect(new Set([a, b, c]).size).toBe(3);
    for (const buffer of [a, b, c]) buffers.give(buffer);
    expect(buffers.idle).toBe(2);
    const again = [buffers.take(), buffers.take()];
    expect(again.includes(a) && again.includes(b)).toBe(true);
    expect(buffers.take() === c).toBe(false);
    buffers.clear();
  });

  it('lets idle buffers go once none has been taken for a while, and a take puts that off', async () => {
    const buffers = new ReadBuffers({ idleMs: 100 });
    buffers.give(buffers.take());
    await new Promise((resolve) => setTimeout(resolve, 60));
    buffers.give(buffers.take());
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(buffers.idle).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(buffers.idle).toBe(0);
  });

  it('refuses a bad `keep`, naming it', () => {
    expect(() => new ReadBuffers({ keep: -1 })).toThrow('Expected `keep` to be a whole number from 0 and up, got `-1`');
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
        expect(buffers.idle).toBeGreaterThan(0);
        expect(buffers.idle).toBeLessThanOrEqual(sources.length);
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
      expect(buffers.idle).toBe(0);
      await put(buffers, connections, '/whole', file, 3 * READ_BYTES);
      expect(buffers.idle).toBe(1);
    } finally {
      connections.destroy();
      buffers.clear();
    }
  });
});
