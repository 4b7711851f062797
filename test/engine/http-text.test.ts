import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Connections } from '../../src/engine/transfer/connections';
import { requestText } from '../../src/engine/transfer/http-text';

let server: Server;
let base: string;
const sockets = new Set<string>();
// A proxy resolver that connects straight, whatever this machine's environment names.
const connections = new Connections({ maxSockets: 4, proxy: () => undefined });

beforeAll(async () => {
  server = createServer((req, res) => {
    sockets.add(`${req.socket.remotePort}`);
    if (req.url === '/echo') {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => res.writeHead(201, { 'retry-after': '3' }).end(`${req.method} ${body}`));
    } else if (req.url === '/hang') {
      res.writeHead(200, { 'content-length': '10' }).write('12345');
    } else if (req.url === '/drop') {
      res.writeHead(200, { 'content-length': '10' }).write('12345', () => req.socket.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  connections.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('requestText', () => {
  it('sends the body and reads the whole answer, reusing one connection', async () => {
    sockets.clear();
    for (const word of ['one', 'two']) {
      const res = await requestText(`${base}/echo`, {
        method: 'POST',
        headers: {},
        body: word,
        timeoutMs: 5000,
        connections,
      });
      expect(res).toMatchObject({ status: 201, text: `POST ${word}` });
      expect(res.headers['retry-after']).toBe('3');
    }
    expect(sockets.size).toBe(1);
  });

  it('gives up on an answer that does not complete in time', async () => {
    await expect(
      requestText(`${base}/hang`, { method: 'GET', headers: {}, timeoutMs: 300, connections }),
    ).rejects.toThrow('No complete answer within 300 ms');
  });

  it('fails when the connection drops mid-answer', async () => {
    await expect(
      requestText(`${base}/drop`, { method: 'GET', headers: {}, timeoutMs: 5000, connections }),
    ).rejects.toThrow();
  });

  it('stops when its signal aborts', async () => {
    const controller = new AbortController();
    const pending = requestText(`${base}/hang`, {
      method: 'GET',
      headers: {},
      timeoutMs: 5000,
      signal: controller.signal,
      connections,
    });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/iu);
  });
});
