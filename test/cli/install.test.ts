import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Runs `command args` in `cwd` to its end, for its exit code and output. */
function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out })));
}

/** A Node 20 other than the one running the tests, when the machine has one. */
const NODE_20 = ['/usr/bin/node', '/usr/local/bin/node'].find(
  (path) => existsSync(path) && spawnSync(path, ['--version'], { encoding: 'utf8' }).stdout.startsWith('v20.'),
);

describe('installing the command', () => {
  it('installs from the checkout as `hoist`, which runs from any folder, as the README says', async () => {
    const prefix = await mkdtemp(join(tmpdir(), 'hoist-global-'));
    const installed = await run(
      'npm',
      ['install', '--global', '--prefix', prefix, '--no-audit', '--no-fund', process.cwd()],
      prefix,
    );
    expect(installed.code, installed.out).toBe(0);
    const elsewhere = await mkdtemp(join(tmpdir(), 'hoist-elsewhere-'));
    const version = await run(join(prefix, 'bin', 'hoist'), ['--version'], elsewhere);
    expect(version).toEqual({ code: 0, out: `${JSON.parse(await readFile('package.json', 'utf8')).version}\n` });
    const help = await run(join(prefix, 'bin', 'hoist'), ['--help'], elsewhere);
    expect(help.out).toMatch(/push .*\n.*status.*\n.*ls.*\n.*link/su);
    expect(await readFile('README.md', 'utf8')).toContain('npm install --global .');
  });

  // The README says Node 20 still runs it (with npm's warning about `engines`); Debian's is v20 here.
  it.skipIf(!NODE_20)('runs on Node 20: a dry run on the embedded store, from the built bundle', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hoist-node20-'));
    const folder = await mkdtemp(join(tmpdir(), 'hoist-node20-folder-'));
    await writeFile(join(folder, 'a.txt'), 'a');
    const { status, stdout, stderr } = spawnSync(NODE_20!, ['out/cli/hoist.mjs', 'push', '--dry-run', folder], {
      encoding: 'utf8',
      env: { ...process.env, HOME: home, XDG_DATA_HOME: '', XDG_CACHE_HOME: '', HOIST_STATE_DIR: '' },
    });
    expect({ status, stderr }).toMatchObject({ status: 0 });
    expect(stdout).toMatch(/1 files \(1 B, 0 in parts\) would upload/u);
  });

  it('starts with a #! line every system runs: no Node flags, which BusyBox and the BSDs cannot pass', async () => {
    // `#!/usr/bin/env -S node --flag` fails on Alpine (BusyBox env has no -S), OpenBSD and NetBSD.
    expect((await readFile('bin/hoist.js', 'utf8')).split('\n', 1)[0]).toBe('#!/usr/bin/env node');
  });

  it('says its license in each package, and ships the LICENSE', async () => {
    for (const manifest of ['package.json', 'signer-server/package.json', 'protocol/package.json'])
      expect(JSON.parse(await readFile(manifest, 'utf8')).license, manifest).toBe('MIT');
    expect(await readFile('LICENSE', 'utf8')).toMatch(/^MIT License/u);
  });

  it('documents every flag of every command in docs/cli.md', async () => {
    const docs = await readFile('docs/cli.md', 'utf8');
    const sources = ['main.ts', 'signer-commands.ts', 'serve.ts', 'clean.ts'].map((f) => join('src/cli', f));
    const flags = new Set<string>();
    for (const source of sources)
      for (const [, flag] of (await readFile(source, 'utf8')).matchAll(/[oO]ption\(\s*'(?:-\w, )?(--[a-z-]+)/gu))
        flags.add(flag!);
    expect(flags.size).toBeGreaterThanOrEqual(30);
    expect([...flags].filter((flag) => flag !== '--ignore' && !docs.includes(flag))).toEqual([]);
  });
});
