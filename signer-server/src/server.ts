import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError, type SignerConfig, type UserConfig } from './config';
import { createApp, type AppOptions } from './app';

/** A signer listening on a port; `close` stops it and its S3 client. */
export interface RunningSigner {
  url: string;
  close(): Promise<void>;
  /**
   * Stops gracefully: /readyz answers 503, no new connection is taken, requests in flight finish (for up to
   * `graceMs`, then their connections are closed), then the resources are released; `log` hears each step.
   */
  shutdown(graceMs: number, log: (step: string, detail?: Record<string, unknown>) => void): Promise<void>;
  /** Puts `users` in place of the configured ones. */
  reloadUsers(users: readonly UserConfig[]): void;
}

function readPem(setting: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(`Cannot read \`${setting}\` file \`${file}\`: ${(error as NodeJS.ErrnoException).code}`);
  }
}

/** Starts the signer on `config.host:config.port` (port 0 picks a free one), over HTTPS when `tls` is set. */
export async function startSigner(config: SignerConfig, options: AppOptions = {}): Promise<RunningSigner> {
  const app = createApp(config, options);
  await app.ready();
  const handler = app.callback();
  const server: Server = config.tls
    ? createHttpsServer(
        { cert: readPem('tls.certFile', config.tls.certFile), key: readPem('tls.keyFile', config.tls.keyFile) },
        handler,
      )
    : createHttpServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(config.port, config.host);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.closeResources();
    },
    shutdown: async (graceMs, log) => {
      app.drain();
      log('draining: /readyz answers 503, no new connections');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // A kept-alive connection goes idle once its last request is answered: close each as it does.
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 100);
      let timer: NodeJS.Timeout | undefined;
      const forced = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
      ]);
      clearTimeout(timer);
      clearInterval(idle);
      if (forced) {
        log(`requests still in flight after ${graceMs} ms: closing their connections`);
        server.closeAllConnections();
        // The sockets are gone; the server's own 'close' may come later, or not keep the process waiting.
        await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 1000))]);
      } else {
        log('every request in flight finished');
      }
      await app.closeResources();
      log('stopped');
    },
    reloadUsers: (users) => app.reloadUsers(users),
  };
}
