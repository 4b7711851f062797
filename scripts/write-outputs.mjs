// Puts the CLI bundle's files in place without a moment in which they are gone: `rm -rf` then a build left
// out/cli empty while `npm install --global .` ran `prepare`, and every `hoist` started meanwhile (other
// tests, a person's own run) failed to find its scan thread's module.
import { Buffer } from 'node:buffer';
import { readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import process from 'node:process';
import { basename, join } from 'node:path';

/**
 * Writes esbuild's `outputFiles` into `outdir` so a process running from it never finds a file missing:
 * changed files are written beside their place and renamed over it (chunks before the entry points that
 * import them), unchanged ones are left but dated now (bin/hoist.js compares the bundle's age with the
 * sources'), and files the build no longer makes are removed last.
 */
export async function writeOutputs(outdir, outputFiles) {
  const chunksFirst = [...outputFiles].sort(
    (a, b) => Number(!basename(a.path).startsWith('chunk-')) - Number(!basename(b.path).startsWith('chunk-')),
  );
  const now = new Date();
  for (const file of chunksFirst) {
    const old = await readFile(file.path).catch(() => undefined);
    if (old && Buffer.compare(old, file.contents) === 0) {
      await utimes(file.path, now, now);
      continue;
    }
    const temp = `${file.path}.${process.pid}.tmp`;
    await writeFile(temp, file.contents);
    await rename(temp, file.path);
  }
  const made = new Set(outputFiles.map((file) => file.path));
  for (const entry of await readdir(outdir, { withFileTypes: true })) {
    const path = join(outdir, entry.name);
    if (!made.has(path)) await rm(path, { recursive: true, force: true });
  }
}
