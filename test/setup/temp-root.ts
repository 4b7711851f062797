import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Points TMPDIR at one folder for the whole run, so every temp folder the tests and their children make goes with it. */
export default async function setup(): Promise<() => Promise<void>> {
  const root = await mkdtemp(join(tmpdir(), 'hoist-test-run-'));
  process.env.TMPDIR = root;
  return () => rm(root, { recursive: true, force: true });
}
