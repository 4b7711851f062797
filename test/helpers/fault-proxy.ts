import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Transform } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the proxy does with one request. */
export type FaultAction =
  | { kind: 'pass' }
  | { kind: 'reset'; afterBytes: number }
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  | { kind: 'delay'; ms: number }
  | { kind: 'hang' }
  /** Forwards, then answers with S3's answer but this ETag, as a store that kept other bytes would. */
  | { kind: 'etag'; etag: string }
  /** Forwards with the body's byte at offset `at` flipped, as a faulty middlebox would. */
  | { kind: 'corrupt'; at: number };

/** Decides the action for the `index`-th request (0-based) the proxy sees; `res` is the answer to come. */
export type FaultRule = (req: IncomingMessage, index: number, res: ServerResponse) => FaultAction;

/** A real HTTP proxy on loopback that forwards to `target` and injects faults by rule. */
export interface FaultProxy {
  url: string;
  /** How many times each action kind was taken. */
  injected: Record<FaultAction['kind'], number>;
  requests: number;
  setRule(rule: FaultRule): void;
  /** Stops all traffic for `ms`, as a sleeping machine would: open connections go silent, new ones wait. */
  freeze(ms: number): void;
  close(): Promise<void>;
}

/** A stream that passes bytes through with the one at offset `at` inverted. */
function flipByte(at: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (at >= offset && at < offset + chunk.length) {
        chunk = Buffer.from(chunk);
        chunk[at - offset] = chunk[at - offset]! ^ 0xff;
      }
      offset += chunk.length;
      done(null, chunk);
    },
  });
}

function forward(req: IncomingMessage, res: ServerResponse, target: URL, etag?: string, corruptAt?: number): void {
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, etag ? { ...answer.headers, etag } : answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  if (corruptAt === undefined) req.pipe(upstream);
  else req.pipe(flipByte(corruptAt)).pipe(upstream);
}

/** Starts the proxy; every request goes through `rule` (pass-through by default). */
export async function startFaultProxy(target: string, rule: FaultRule = () => ({ kind: 'pass' })): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const injected: FaultProxy['injected'] = { pass: 0, reset: 0, status: 0, delay: 0, hang: 0, etag: 0, corrupt: 0 };
  const sockets = new Set<Socket>();
  let current = rule;
  let index = 0;
  let thawed = Promise.resolve();
  const server: Server = createServer((req, res) => {
    void (async () => {
      await thawed;
      const action = current(req, index++, res);
      injected[action.kind] += 1;
      switch (action.kind) {
        case 'pass':
          forward(req, res, targetUrl);
          return;
        case 'delay':
          await sleep(action.ms);
          forward(req, res, targetUrl);
          return;
        case 'status':
          req.resume();
          req.on('end', () => {
            res.writeHead(action.status, { 'content-type': 'application/xml', ...action.headers });
            res.end(action.body ?? '');
          });
          return;
        case 'hang':
          req.resume();
          return;
        case 'etag':
          forward(req, res, targetUrl, action.etag);
          return;
        case 'corrupt':
          forward(req, res, targetUrl, undefined, action.at);
          return;
        case 'reset': {
          let seen = 0;
          req.on('data', (chunk: Buffer) => {
            seen += chunk.length;
            if (seen >= action.afterBytes) req.socket.destroy();
          });
          req.on('end', () => req.socket.destroy());
        }
      }
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    injected,
    get requests() {
      return index;
    },
    setRule: (next) => {
      current = next;
    },
    freeze: (ms) => {
      const frozen = [...sockets];
      for (const socket of frozen) {
        socket.pause();
        socket.cork();
      }
      thawed = sleep(ms).then(() => {
        for (const socket of frozen) {
          socket.uncork();
          socket.resume();
        }
      });
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** True for a presigned PUT to S3 (an object or a part), as opposed to the signer's own S3 calls. */
export const isPresignedPut = (req: IncomingMessage): boolean =>
  req.method === 'PUT' && (req.url ?? '').includes('X-Amz-Signature=');
