// Bundles the signer into dist/hoist-signer.mjs: plain JavaScript that `node` runs itself (no tsx, no npm
// wrapper between the process manager and the server, so SIGTERM reaches it). Its npm dependencies stay
// imports, installed beside it by `npm install --omit=dev`; the protocol workspace is bundled in.
import { build } from 'esbuild';
import { chmod, rm } from 'node:fs/promises';

const here = `${import.meta.dirname}/`;
await rm(`${here}dist`, { recursive: true, force: true });
await build({
  entryPoints: { 'hoist-signer': `${here}src/cli.ts` },
  outdir: `${here}dist`,
  bundle: true,
  packages: 'external',
  // The protocol workspace is bundled in: it is not published, and the package must install on its own.
  alias: { '@hoist/protocol': `${here}../protocol/src/index.ts` },
  platform: 'node',
  format: 'esm',
  target: 'node22',
  banner: { js: '#!/usr/bin/env node' },
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
await chmod(`${here}dist/hoist-signer.mjs`, 0o755);
