// Bundles the `hoist` CLI into out/cli/ so it starts without compiling TypeScript at run time.
// npm packages stay imports; the signer workspace (TypeScript sources) is bundled; the embedded local
// stack is a separate chunk, loaded only when no --signer is given.
import { build } from 'esbuild';

await build({
  entryPoints: { hoist: 'src/cli/index.ts' },
  outdir: 'out/cli',
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  alias: { '@hoist/signer-server': './signer-server/src' },
  outExtension: { '.js': '.mjs' },
  logLevel: 'warning',
});
