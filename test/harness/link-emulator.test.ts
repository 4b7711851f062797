import { createServer, connect, type AddressInfo, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLink } from '../helpers/link-emulator';

// The bench's link emulator must be the link it claims: its round trip, its shared cap, its order.

let echo: Server;
let port: number;

beforeAll(async () => {
  // Answers each line with its length, and drains anything else.
  echo = createServer((socket) => {
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (chunk.includes(10)) socket.write(`${received}\n`);
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  port = (echo.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => echo.close(() => resolve())));

/** Sends `bytes` then a newline; resolves with the answer and the milliseconds from connect to it. */
function exchange(address: string, bytes: number): Promise<{ answer: string; ms: number }> {
  const [host, portText] = address.split(':');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect(Number(portText), host, () => {
      socket.write(Buffer.alloc(bytes, 1));
      socket.write('\n');
    });
    socket.on('data', (chunk: Buffer) => {
      resolve({ answer: chunk.toString().trim(), ms: performance.now() - started });
      socket.destroy();
    });
    socket.on('error', reject);
  });
}

describe('the link emulator', () => {
  it('costs a round trip to connect and a round trip per exchange, and delivers every byte in order', async () => {
    const link = await startLink([{ host: '127.0.0.1', port }], { name: 'test', delayMs: 50, bitsPerSecond: 1e9 });
    try {
      const { answer, ms } = await exchange(link.addresses[0]!, 10);
      expect(answer).toBe('11');
      // Handshake (100 ms) plus one exchange (100 ms).
      expect(ms).toBeGreaterThanOrEqual(195);
      expect(ms).toBeLessThan(400);
    } finally {
      await link.close();
    }
  });

  it('shares one cap between connections', async () => {
    // 8 Mbit/s: 1 MB alone takes ~1 s; two at once take ~2 s together.
    const link = await startLink([{ host: '127.0.0.1', port }], { name: 'test', delayMs: 5, bitsPerSecond: 8e6 });
    try {
      const alone = await exchange(link.addresses[0]!, 1e6);
      expect(alone.answer).toBe(String(1e6 + 1));
      expect(alone.ms).toBeGreaterThan(950);
      const started = performance.now();
      await Promise.all([exchange(link.addresses[0]!, 1e6), exchange(link.addresses[0]!, 1e6)]);
      const both = performance.now() - started;
      expect(both).toBeGreaterThan(1950);
      expect(both).toBeLessThan(3000);
    } finally {
      await link.close();
    }
  });
});
