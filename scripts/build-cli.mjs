// Bundles the `hoist` CLI into out/cli/ so it starts without compiling TypeScript or resolving dozens
// of modules at run time. The CLI's own npm packages are bundled in; the embedded local stack (signer
// server, s3rver, the AWS SDK) is a separate chunk whose packages stay imports, loaded only when no
// --signer is given.
import { build } from 'esbuild';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { prebuiltMimeTypes } from './prebuilt-mime-types.mjs';
import { writeOutputs } from './write-outputs.mjs';

/**
 * Takes node:http through require(), not as an ES module: Node builds an ES module's view of node:http by
 * reading every export, and three of them (WebSocket, MessageEvent, CloseEvent) load undici, ~30 ms of
 * every start on this machine (nodejs/node#59686); require() reads none of them.
 */
const requireNodeHttp = {
  name: 'require-node-http',
  setup(build) {
    build.onResolve({ filter: /^(node:)?http$/ }, (args) =>
      args.namespace === 'required'
        ? { path: 'node:http', external: true }
        : { path: 'node:http', namespace: 'required' },
    );
    build.onLoad({ filter: /.*/, namespace: 'required' }, () => ({
      contents: "module.exports = require('node:http');",
      loader: 'js',
    }));
  },
};

await mkdir('out/cli', { recursive: true });
const { outputFiles } = await build({
  write: false,
  // The engine's hash and scan threads run hash-worker.mjs and scan-worker.mjs beside the bundle (see src/engine/worker-location.ts).
  entryPoints: {
    hoist: 'src/cli/index.ts',
    'hash-worker': 'src/engine/hashing/hash-worker.ts',
    'scan-worker': 'src/engine/pipeline/scan-worker.ts',
  },
  outdir: 'out/cli',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['@aws-sdk/*', '@smithy/*', '@koa/*', 'koa', 'koa-*', 'pino', 's3rver'],
  alias: { '@hoist/signer-server': './signer-server/src' },
  // Bundled CommonJS packages call require() for Node's built-in modules.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
  plugins: [requireNodeHttp, prebuiltMimeTypes],
});
await writeOutputs(resolve('out/cli'), outputFiles);
