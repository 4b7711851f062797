import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A network path: one-way delay each way, and one bandwidth cap per direction shared by every connection. */
export interface LinkProfile {
  name: string;
  /** Milliseconds each way: the round trip is twice this. */
  delayMs: number;
  /** Bits per second, each direction, for all connections together. */
  bitsPerSecond: number;
}

/** The profiles the WAN bench runs: a good office line and a far, slow one. */
export const LINK_PROFILES: Record<string, LinkProfile> = {
  wan40: { name: '40 ms / 100 Mbit/s', delayMs: 20, bitsPerSecond: 100e6 },
  wan120: { name: '120 ms / 20 Mbit/s', delayMs: 60, bitsPerSecond: 20e6 },
};

/** One direction of the link: a serialising queue at the cap, then the delay. */
class Direction {
  #freeAt = 0;
  /** Bytes that arrived at the far end so far, every connection together. */
  delivered = 0;

  constructor(readonly profile: LinkProfile) {}

  /** When `bytes` handed to the link now arrive at the far end. */
  arrival(bytes: number, now: number): number {
    const departs = Math.max(now, this.#freeAt) + (bytes * 8 * 1000) / this.profile.bitsPerSecond;
    this.#freeAt = departs;
    return departs + this.profile.delayMs;
  }
}

/**
 * Carries one connection's bytes in one direction: each chunk arrives when the shared link says, in
 * order; the sender is paused while more than `window` bytes are on the way (a TCP window's worth).
 */
function pipeOver(from: Socket, to: Socket, link: Direction, window: number): void {
  const queue: { at: number; chunk: Buffer }[] = [];
  let inFlight = 0;
  let ended = false;
  let timer: NodeJS.Timeout | undefined;
  const deliver = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length && queue[0]!.at <= now) {
      const { chunk } = queue.shift()!;
      inFlight -= chunk.length;
      link.delivered += chunk.length;
      if (!to.destroyed) to.write(chunk);
    }
    if (inFlight < window / 2 && from.isPaused()) from.resume();
    if (queue.length) timer = setTimeout(deliver, Math.max(0, queue[0]!.at - performance.now()));
    else if (ended && !to.destroyed) to.end();
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ at: link.arrival(chunk.length, performance.now()), chunk });
    inFlight += chunk.length;
    if (inFlight > window) from.pause();
    timer ??= setTimeout(deliver, Math.max(0, queue[0]!.at - performance.now()));
  });
  from.on('end', () => {
    ended = true;
    timer ??= setTimeout(deliver, 0);
  });
  from.on('close', () => {
    if (!ended) {
      if (timer) clearTimeout(timer);
      to.destroy();
    }
  });
}

/** A running emulated link with one listening port per target, all sharing the link's two directions. */
export interface EmulatedLink {
  /** `host:port` to reach each target through the link, in the order given. */
  addresses: string[];
  /** Bytes carried to the targets so far (requests, their bodies included), every connection together. */
  deliveredUp(): number;
  close(): Promise<void>;
}

/**
 * Starts a user-space link emulator (this kernel has no netem): for each target a loopback port whose
 * connections reach it through the link. A new connection costs a round trip before its first byte, as a
 * TCP handshake does; bytes then cross at the shared cap, in order, each way after the one-way delay.
 */
export async function startLink(
  targets: readonly { host: string; port: number }[],
  profile: LinkProfile,
): Promise<EmulatedLink> {
  const up = new Direction(profile);
  const down = new Direction(profile);
  // Twice the bandwidth-delay product: one connection alone can fill the link.
  const window = Math.max(256 * 1024, Math.ceil(((profile.bitsPerSecond / 8) * profile.delayMs * 4) / 1000));
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  for (const target of targets) {
    const server = createServer({ pauseOnConnect: true }, (client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      setTimeout(() => {
        if (client.destroyed) return;
        const far = connect(target.port, target.host, () => {
          pipeOver(client, far, up, window);
          pipeOver(far, client, down, window);
          client.resume();
        });
        sockets.add(far);
        far.setNoDelay(true);
        far.on('close', () => sockets.delete(far));
        far.on('error', () => client.destroy());
        client.on('error', () => far.destroy());
      }, profile.delayMs * 2);
      client.setNoDelay(true);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return {
    addresses: servers.map((server) => `127.0.0.1:${(server.address() as AddressInfo).port}`),
    deliveredUp: () => up.delivered,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}
