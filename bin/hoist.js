#!/usr/bin/env node
// The `hoist` command. Runs the bundled CLI (built by `npm ci` or `npm install` through `prepare`, and by
// `npm run build`) when it is newer than every source file; otherwise runs the TypeScript sources through
// tsx, so an edit takes effect without a build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bundle = join(root, 'out', 'cli', 'hoist.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function bundleIsFresh() {
  try {
    const built = statSync(bundle).mtimeMs;
    const sources = [join(root, 'src'), join(root, 'protocol', 'src'), join(root, 'signer-server', 'src')];
    return sources.every((dir) => built > newestSource(dir));
  } catch {
    return false;
  }
}

if (bundleIsFresh()) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/index.ts');
}
