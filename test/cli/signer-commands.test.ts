import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import signerPkg from '../../signer-server/package.json' with { type: 'json' };
import { hoistExit, hoistPush } from '../helpers/cli';
import { bytes, makeFolder } from '../helpers/folders';
import { md5Hex } from '../helpers/hash';
import { startTestSigner, type TestSigner } from '../helpers/signer';

// `hoist status`, `hoist ls` and `hoist link` against a real signer on the verifying S3 (Ceph RGW).

const s3 = inject('s3');
let signer: TestSigner;
let stateDir: string;
const files = { 'a.jpg': bytes(3000), 'raw/b.cr2': bytes(70_000), 'notes.txt': Buffer.from('notes') };

beforeAll(async () => {
  signer = await startTestSigner(s3, {
    quotas: { filesPerDay: 500 },
    userSettings: { bob: { destinations: ['inbox', 'clients/acme'] } },
  });
  stateDir = await mkdtemp(join(tmpdir(), 'hoist-ask-'));
});
afterAll(async () => signer.close());

/** `hoist <command> <args>` as alice (or `user`) against the test signer. */
const hoist = (command: string, args: string[], user: 'alice' | 'bob' = 'alice') =>
  hoistExit([command, ...args, '--signer', signer.url, '--state-dir', stateDir], { HOIST_TOKEN: signer.tokens[user] });

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

describe('commands that ask the signer', () => {
  it('status says who you are, what you may upload and what is left, as text and as JSON', async () => {
    const text = await hoist('status', []);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`signer:       ${signer.url} (version ${signerPkg.version}), reachable\n`);
    expect(text.stdout).toContain('user:         alice\n');
    expect(text.stdout).toContain('prefix:       users/alice/\n');
    expect(text.stdout).toContain('folders:      any inside your prefix\n');
    expect(text.stdout).toMatch(/quota: +500 files a day: 500 files left\n/u);
    const [event] = jsonLines((await hoist('status', ['--json'])).stdout);
    expect(event).toMatchObject({
      v: 1,
      event: 'status',
      signer: { url: signer.url, embedded: false, version: signerPkg.version },
      policy: { user: 'alice', prefix: 'users/alice' },
    });
    const bob = await hoist('status', [], 'bob');
    expect(bob.stdout).toContain('folders:      only inbox, clients/acme\n');
  });

  it('status exits 3 with the reason when the signer does not answer, and 2 without a token', async () => {
    const gone = await hoistExit(['status', '--signer', 'http://127.0.0.1:9', '--state-dir', stateDir], {
      HOIST_TOKEN: 't',
    });
    expect(gone.code).toBe(3);
    expect(gone.stderr).toMatch(/^error: .*nothing answers at that address.*\[ECONNREFUSED\]/mu);
    const tokenless = await hoistExit(['status', '--signer', signer.url, '--state-dir', stateDir], {
      HOIST_TOKEN: '',
      HOIST_SIGN_IN_FILE: join(stateDir, 'no-sign-in.json'),
    });
    expect(tokenless.code).toBe(2);
    expect(tokenless.stderr).toContain('error: No token');
  });

  it('ls lists your folders, then a folder’s files with sizes; link gives a link that fetches each file', async () => {
    const root = await makeFolder(files);
    const pushed = hoistPush([root, '--signer', signer.url, '--state-dir', stateDir, '--json'], {
      HOIST_TOKEN: signer.tokens.alice,
    });
    expect(await pushed.exited).toBe(0);
    const folder = pushed.events.find((e) => e.event === 'end')!.destination.folder as string;

    const folders = await hoist('ls', []);
    expect(folders.code).toBe(0);
    expect(folders.stdout.split('\n')).toContain(`${folder}/`);
    expect(jsonLines((await hoist('ls', ['--json'])).stdout)).toContainEqual({ v: 1, event: 'folder', name: folder });
    const bobs = await hoist('ls', ['--json'], 'bob');
    expect(jsonLines(bobs.stdout).map((e) => e.name)).toEqual(['clients/acme', 'inbox']);

    const listing = await hoist('ls', [folder]);
    expect(listing.stdout).toBe(
      `  3.0 kB  a.jpg\n     5 B  notes.txt\n   70 kB  raw/b.cr2\n3 files, 73 kB in ${folder}/\n`,
    );
    const objects = jsonLines((await hoist('ls', [folder, '--json'])).stdout);
    expect(objects.find((e) => e.path === 'a.jpg')).toEqual({
      v: 1,
      event: 'object',
      path: 'a.jpg',
      size: 3000,
      etag: `"${md5Hex(files['a.jpg'])}"`,
    });
    expect(objects.at(-1)).toEqual({ v: 1, event: 'end', destination: folder, files: 3, bytes: 73_005 });

    const linked = await hoist('link', [`${folder}/a.jpg`, `${folder}/raw/b.cr2`, '--json']);
    expect(linked.code).toBe(0);
    const links = jsonLines(linked.stdout);
    for (const [i, path] of ['a.jpg', 'raw/b.cr2'].entries()) {
      expect(links[i]).toMatchObject({ event: 'link', path: `${folder}/${path}`, status: 'ok' });
      const body = Buffer.from(await (await fetch(links[i].url)).arrayBuffer());
      expect(md5Hex(body)).toBe(md5Hex(files[path as keyof typeof files]));
    }
    // A path with nothing there, or outside the folders bob may use, gets no link and a reason.
    const missing = await hoist('link', [`${folder}/a.jpg`, `${folder}/nope.jpg`]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(
      new RegExp(`^${folder}/a\\.jpg: https?://.*\\n  \\(opens in a browser; works until \\d{4}-`, 'u'),
    );
    expect(missing.stderr).toContain(`error: ${folder}/nope.jpg: `);
    const outside = await hoist('link', ['elsewhere/a.jpg'], 'bob');
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/^error: elsewhere\/a\.jpg: .*outside the folders you may use/mu);
  });

  it('on the embedded store: ls and status work, link is not offered, with the reason', async () => {
    const embeddedState = await mkdtemp(join(tmpdir(), 'hoist-ask-embedded-'));
    const root = await makeFolder({ 'x.txt': 'x' });
    const local = { HOIST_SIGNER: '', HOIST_TOKEN: '', HOIST_CONFIG: join(embeddedState, 'none.json') };
    const pushed = hoistPush([root, '--state-dir', embeddedState, '--json'], local);
    expect(await pushed.exited).toBe(0);
    const folder = pushed.events.find((e) => e.event === 'end')!.destination.folder as string;
    const listing = await hoistExit(['ls', folder, '--state-dir', embeddedState], local);
    expect(listing.stdout).toContain('     1 B  x.txt\n');
    const status = await hoistExit(['status', '--state-dir', embeddedState], local);
    expect(status.stdout).toContain('signer:       the embedded local signer');
    const link = await hoistExit(['link', `${folder}/x.txt`, '--state-dir', embeddedState], local);
    expect(link.code).toBe(2);
    expect(link.stderr).toContain('error: The embedded store runs only while hoist does');
    // And the way to a link that works, which serve.test.ts follows.
    expect(link.stderr).toContain('`hoist serve` keeps it running');
  });
});
