import type { AddressInfo } from 'node:net';
import type { SignerConfig } from './config';
import { createApp, type AppOptions } from './app';

/** A signer listening on a port; `close` stops it and its S3 client. */
export interface RunningSigner {
  url: string;
  close(): Promise<void>;
}

/** Starts the signer on `config.host:config.port` (port 0 picks a free one). */
export async function startSigner(config: SignerConfig, options: AppOptions = {}): Promise<RunningSigner> {
  const app = createApp(config, options);
  const server = app.listen(config.port, config.host);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
