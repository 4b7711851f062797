import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// `npm install --global .` runs `prepare`, which builds the CLI again while other `hoist` processes may be
// starting from out/cli (the suite's own, or a person's): no file of it may be gone at any moment.
describe('building the CLI again', () => {
  it('keeps every file of out/cli in place throughout', async () => {
    const before = readdirSync('out/cli');
    const build = spawn(process.execPath, ['scripts/build-cli.mjs'], { stdio: 'inherit' });
    let code: number | null | undefined;
    build.on('exit', (exitCode) => (code = exitCode));
    const gone = new Set<string>();
    let looks = 0;
    while (code === undefined) {
      for (const name of before) if (!existsSync(join('out/cli', name))) gone.add(name);
      looks += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(code).toBe(0);
    expect(looks).toBeGreaterThan(20);
    // A file the new build no longer makes goes at the end; one it still makes must never have been gone.
    const after = new Set(readdirSync('out/cli'));
    expect([...gone].filter((name) => after.has(name))).toEqual([]);
    expect(after.has('hoist.mjs') && after.has('scan-worker.mjs') && after.has('hash-worker.mjs')).toBe(true);
  });
});
