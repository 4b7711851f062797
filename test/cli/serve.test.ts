import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it, onTestFinished } from 'vitest';
import { hoistExit, hoistPush } from '../helpers/cli';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';

// One embedded demo: `hoist serve` (what `npm run signer` runs) keeps the store that `hoist push` uses
// without a signer running, in the same data folder with the same token, so links work while it runs.

/** Starts `hoist serve` on any free port; resolves once it says where its signer and token are. */
async function serve(stateDir: string) {
  const child = spawn(process.execPath, ['bin/hoist.js', 'serve', '--port', '0', '--state-dir', stateDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  const said = new Map<string, string>();
  for await (const line of createInterface({ input: child.stdout })) {
    const [, key, value] = /^ {2}(signer|token|data): +(.*)$/u.exec(line) ?? [];
    if (key) said.set(key, value!);
    if (said.size === 3) break;
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, exited, signer: said.get('signer')!, tokenFile: said.get('token')! };
}

describe('hoist serve', () => {
  it('serves the store push uses without a signer, with its token; links work while it runs; Ctrl-C ends it', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'hoist-serve-'));
    const local = { HOIST_SIGNER: '', HOIST_TOKEN: '', HOIST_CONFIG: join(stateDir, 'none.json') };
    const files = { 'a.jpg': bytes(2000) };
    // A push without a signer: the embedded store, whose links would die with the push, so none.
    const first = hoistPush([await makeFolder({ 'x.txt': 'x' }), '--state-dir', stateDir, '--links', '--json'], local);
    expect(await first.exited).toBe(0);
    expect(first.events.find((e) => e.event === 'warning')?.message).toMatch(/^--links: not offered on the embedded/u);
    expect(first.events.find((e) => e.event === 'file')?.viewUrl).toBeUndefined();
    const firstFolder = first.events.find((e) => e.event === 'end')!.destination.folder as string;

    const server = await serve(stateDir);
    expect(server.signer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/u);
    expect(server.tokenFile).toBe(join(stateDir, 'local', 'token'));
    const args = ['--signer', server.signer, '--token-file', server.tokenFile, '--state-dir', stateDir, '--json'];
    const second = hoistPush([await makeFolder(files), ...args, '--links'], local);
    expect(await second.exited).toBe(0);
    const report = JSON.parse(await readFile(second.events.find((e) => e.event === 'end')!.report, 'utf8'));
    const body = Buffer.from(await (await fetch(report.files[0].viewUrl)).arrayBuffer());
    expect(md5Hex(body)).toBe(md5Hex(files['a.jpg']));
    // One data folder: what the push without a signer sent is in the served store too.
    const listed = await hoistExit(['ls', ...args], local);
    expect(listed.stdout).toContain(`"name":"${firstFolder}"`);
    // `hoist link` to it works too, as its refusal on the embedded store advises.
    const secondFolder = second.events.find((e) => e.event === 'end')!.destination.folder as string;
    const linked = await hoistExit(['link', `${secondFolder}/a.jpg`, ...args], local);
    expect(linked.code).toBe(0);
    const viewUrl = /"url":"([^"]+)"/u.exec(linked.stdout)?.[1];
    expect(md5Hex(Buffer.from(await (await fetch(viewUrl!)).arrayBuffer()))).toBe(md5Hex(files['a.jpg']));

    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
  });
});
