import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError, type SignerConfig } from './config';
import { createApp, type AppOptions } from './app';

/** A signer listening on a port; `close` stops it and its S3 client. */
export interface RunningSigner {
  url: string;
  close(): Promise<void>;
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
  };
}
