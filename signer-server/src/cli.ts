import { resolve } from 'node:path';
import { ConfigError, loadConfig } from './config';
import { startLocalStack } from './local-stack';
import { startSigner } from './server';

const env = process.env;
const realBucket = Boolean(env.HOIST_S3_BUCKET || env.HOIST_SIGNER_CONFIG);

async function main(): Promise<void> {
  if (!realBucket) {
    const dataDir = resolve(env.HOIST_DATA_DIR ?? resolve(import.meta.dirname, '../../.hoist'), 'local-s3');
    const port = env.HOIST_SIGNER_PORT ? Number(env.HOIST_SIGNER_PORT) : 8787;
    const stack = await startLocalStack(dataDir, { signerPort: port, logLevel: 'info' });
    process.stdout.write(
      [
        `Hoist signer (development) on ${stack.signerUrl}`,
        `  embedded S3 (s3rver) on ${stack.s3Endpoint}, bucket \`${stack.bucket}\`, data in ${stack.dataDir}`,
        `  development token (shown once): ${stack.token}`,
        '  set HOIST_S3_BUCKET (or HOIST_SIGNER_CONFIG) to sign for a real bucket instead.',
        '',
      ].join('\n'),
    );
    const stop = (): void => void stack.stop().then(() => process.exit(0));
    process.once('SIGINT', stop).once('SIGTERM', stop);
    return;
  }
  const config = loadConfig(env);
  const signer = await startSigner(config);
  process.stdout.write(`Hoist signer on ${signer.url}, bucket \`${config.s3.bucket}\`\n`);
  const stop = (): void => void signer.close().then(() => process.exit(0));
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : `Signer failed to start: ${(error as Error).message}`;
  process.stderr.write(`${message}\n`);
  process.exit(error instanceof ConfigError ? 78 : 1);
});
