import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { hoistExit, hoistPush } from '../helpers/cli';
import { makeFolder } from '../helpers/folders';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// Where `hoist` finds its settings and keeps its state, in a home of its own: the platform's places
// (XDG here), and the places an older Hoist used while they exist.

const s3 = inject('s3');
let signer: TestSigner;

beforeAll(async () => {
  signer = await startTestSigner(s3);
});
afterAll(async () => signer.close());

/** A home with nothing of Hoist's in it, and the environment that makes it the only one `hoist` sees. */
async function freshHome(xdg: boolean) {
  const home = await mkdtemp(join(tmpdir(), 'hoist-home-'));
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    HOIST_CONFIG: '',
    HOIST_STATE_DIR: '',
    HOIST_SIGN_IN_FILE: '',
    HOIST_SIGNER: '',
    HOIST_TOKEN: '',
    XDG_CONFIG_HOME: xdg ? join(home, 'xdg-config') : '',
    XDG_DATA_HOME: xdg ? join(home, 'xdg-data') : '',
    XDG_CACHE_HOME: xdg ? join(home, 'xdg-cache') : '',
  };
  return { home, env };
}

const settings = (extra: object = {}) =>
  JSON.stringify({ signer: signer.url, token: signer.tokens.alice, exclude: ['*.tmp'], ...extra });

describe('where hoist keeps things', () => {
  it("reads settings from XDG_CONFIG_HOME and keeps its state in XDG_DATA_HOME, with the file's push defaults", async () => {
    const { home, env } = await freshHome(true);
    await mkdir(join(home, 'xdg-config', 'hoist'), { recursive: true });
    await writeFile(join(home, 'xdg-config', 'hoist', 'config.json'), settings({ to: 'from-settings' }));
    const root = await makeFolder({ 'a.jpg': 'a', 'b.tmp': 'b' });
    const run = hoistPush([root, '--json'], env);
    expect(await run.exited, JSON.stringify(run.events)).toBe(0);
    const end = run.events.find((e) => e.event === 'end')!;
    expect(end).toMatchObject({ counts: { uploaded: 1, skipped: 1 }, destination: { folder: 'from-settings' } });
    expect(end.report as string).toContain(join(home, 'xdg-data', 'hoist', 'reports'));
    expect(existsSync(join(home, '.hoist'))).toBe(false);
  });

  it('still reads ~/.config/hoist/config.json and keeps using ~/.hoist where an older Hoist left them', async () => {
    const { home, env } = await freshHome(false);
    await mkdir(join(home, '.config', 'hoist'), { recursive: true });
    await writeFile(join(home, '.config', 'hoist', 'config.json'), settings());
    await mkdir(join(home, '.hoist'));
    const root = await makeFolder({ 'a.jpg': 'a', 'b.tmp': 'b' });
    const run = hoistPush([root, '--json'], env);
    expect(await run.exited, JSON.stringify(run.events)).toBe(0);
    const end = run.events.find((e) => e.event === 'end')!;
    expect(end.counts).toMatchObject({ uploaded: 1, skipped: 1 });
    expect(end.report as string).toContain(join(home, '.hoist', 'reports'));
  });

  it('says what is wrong with a settings file in words, and exits 2', async () => {
    const { home, env } = await freshHome(true);
    await mkdir(join(home, 'xdg-config', 'hoist'), { recursive: true });
    await writeFile(join(home, 'xdg-config', 'hoist', 'config.json'), JSON.stringify({ bwlimit: 'fast' }));
    const run = hoistPush([await makeFolder({ 'a.jpg': 'a' })], env);
    let stderr = '';
    run.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await run.exited).toBe(2);
    expect(stderr).toContain(
      `error: Settings file ${join(home, 'xdg-config', 'hoist', 'config.json')}:\n✖ Expected \`--bwlimit\` to be at least 1K bytes per second, like \`500K\` or \`10M\`, got \`fast\`\n  → at bwlimit\n`,
    );
  });

  it('keeps its compiled code in XDG_CACHE_HOME, which the next run and its scan thread read, unless told not to', async () => {
    const { home, env } = await freshHome(true);
    const root = await makeFolder({ 'a.jpg': 'a' });
    // Node says what it read from the cache; the chunk names are the bundle's (`npm run build` makes it first).
    const dryRun = async (extra: NodeJS.ProcessEnv) => {
      const args = ['push', root, '--dry-run', '--signer', signer.url, '--token', signer.tokens.alice];
      const { code, stderr } = await hoistExit(args, {
        ...env,
        NODE_COMPILE_CACHE: undefined,
        NODE_DISABLE_COMPILE_CACHE: undefined,
        NODE_DEBUG_NATIVE: 'COMPILE_CACHE',
        ...extra,
      });
      const accepted = [...stderr.matchAll(/code cache for ESM file:\S*\/([^/\s]+) was accepted/gu)].map((m) => m[1]!);
      return { code, accepted };
    };
    const cache = join(home, 'xdg-cache', 'hoist', 'compiled');
    expect(await dryRun({ NODE_DISABLE_COMPILE_CACHE: '1' })).toEqual({ code: 0, accepted: [] });
    expect(existsSync(cache)).toBe(false);
    expect(await dryRun({})).toEqual({ code: 0, accepted: [] });
    expect(existsSync(cache)).toBe(true);
    const again = await dryRun({});
    expect(again.code).toBe(0);
    expect(again.accepted).toEqual(expect.arrayContaining([expect.stringMatching(/^main-/u), 'scan-worker.mjs']));
  });
});
