import { spawn } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { UploadEngine } from '../../src/engine';
import { refreshSignIn, SignInError, SignInStore } from '../../src/sign-in';
import { signInMessage } from '../../src/cli/sign-in-advice';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hoistPush } from '../helpers/cli';
import { recordFault } from '../helpers/fault-ledger';
import { makeFolder } from '../helpers/folders';
import {
  approveInBrowser,
  deviceFlowTokens,
  startTestIdentityProvider,
  type TestIdentityProvider,
  trusting,
} from '../helpers/identity-provider';
import { startTestSigner, type TestSigner } from '../helpers/signer';

const s3 = inject('s3');
let idp: TestIdentityProvider;
let signer: TestSigner;

beforeAll(async () => {
  // Access tokens live 5 s, so every push below starts by refreshing its sign-in.
  idp = await startTestIdentityProvider({ accessTokenTtl: 5 });
  signer = await startTestSigner(s3, trusting(idp, { clockToleranceSeconds: 0 }));
});
afterAll(async () => {
  await signer?.close();
  await idp?.close();
});

/** Runs `hoist <args>` with `env`, approving the device flow in Chromium as `login` when it asks. */
async function hoist(
  args: string[],
  env: NodeJS.ProcessEnv,
  login?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/hoist.js', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  onTestFinished(() => void child.kill('SIGKILL'));
  let stdout = '';
  let stderr = '';
  const approvals: Promise<string>[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => {
    stdout += `${line}\n`;
    const url = /^\(or open (\S+)\)$/u.exec(line)?.[1];
    if (url && login) approvals.push(approveInBrowser(url, login));
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await Promise.all(approvals);
  return { code, stdout, stderr };
}

describe('hoist login', () => {
  it('signs in through the device flow, keeps the tokens privately, refreshes them, and logout forgets them', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hoist-login-'));
    const env = { HOIST_SIGN_IN_FILE: join(home, 'config', 'sign-in.json'), HOIST_STATE_DIR: join(home, 'state') };
    const origin = new URL(signer.url).origin;

    const login = await hoist(['login', '--signer', signer.url], env, 'ana');
    expect(login.stderr).toBe('');
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(
      /^To sign in, open http:\/\/127\.0\.0\.1:\d+\/device and enter the code [A-Z]{4}-[A-Z]{4}$/mu,
    );
    expect(login.stdout).toContain(`Signed in to ${origin}; the sign-in is kept in ${env.HOIST_SIGN_IN_FILE}`);
    expect((await stat(env.HOIST_SIGN_IN_FILE)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, 'config'))).mode & 0o777).toBe(0o700);
    const first = new SignInStore(env.HOIST_SIGN_IN_FILE).get(origin)!;
    expect(first).toMatchObject({ issuer: idp.issuer, clientId: 'hoist', refreshToken: expect.any(String) });

    const root = await makeFolder({ 'a.txt': 'alpha', 'b/c.txt': 'gamma' });
    const pushed = hoistPush([root, '--signer', signer.url, '--json', '--to', 'shoot'], env);
    expect(await pushed.exited).toBe(0);
    const keys = pushed.events.filter((e) => e.event === 'file' && e.status === 'uploaded').map((e) => e.key as string);
    expect(keys.sort()).toEqual(['users/ana/shoot/a.txt', 'users/ana/shoot/b/c.txt']);
    const refreshed = new SignInStore(env.HOIST_SIGN_IN_FILE).get(origin)!;
    expect(refreshed.accessToken).not.toBe(first.accessToken);
    expect(JSON.stringify(await readFile(env.HOIST_SIGN_IN_FILE, 'utf8'))).not.toContain(signer.tokens.alice);

    const logout = await hoist(['logout', '--signer', signer.url], env);
    expect(logout.stdout).toBe(`Signed out of ${origin}\n`);
    expect(new SignInStore(env.HOIST_SIGN_IN_FILE).get(origin)).toBeUndefined();
    // The shared sign-in gives a code; the terminal words the advice.
    const refusal = await refreshSignIn(refreshed).catch((error: SignInError) => error);
    expect(refusal).toBeInstanceOf(SignInError);
    expect(signInMessage(refusal as SignInError)).toMatch(/refused to refresh the sign-in .*run `hoist login` again/u);
    const after = await hoist(['push', root, '--signer', signer.url], env);
    expect(after.code).toBe(2);
    expect(after.stderr + after.stdout).toContain('No token: run `hoist login`');
  });

  it('says when a signer takes no sign-in', async () => {
    const plain = await startTestSigner(s3);
    try {
      const answer = await hoist(['login', '--signer', plain.url], {});
      expect(answer.code).toBe(3);
      expect(answer.stderr).toContain('takes no sign-in, only tokens its admin hands out');
    } finally {
      await plain.close();
    }
  });
});

describe('a sign-in relayed by another signer (N2)', () => {
  it('is refused by the client before it asks the provider, and a token for another signer is refused by this one', async () => {
    // The hostile signer answers /v1/sign-in with the real signer's answer, word for word.
    const real = await (await fetch(`${signer.url}/v1/sign-in`)).json();
    const hostile = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(real)),
    );
    await new Promise<void>((done) => hostile.listen(0, '127.0.0.1', done));
    const hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    try {
      const home = await mkdtemp(join(tmpdir(), 'hoist-relay-'));
      const relayed = await hoist(
        ['login', '--signer', hostileUrl],
        { HOIST_SIGN_IN_FILE: join(home, 's.json') },
        'ana',
      );
      expect(relayed.code).toBe(3);
      expect(relayed.stderr).toContain(`describes a sign-in for \`${signer.url}\`, not for itself`);
      expect(relayed.stdout).not.toContain('To sign in');
      // A hostile signer that names itself gets tokens meant for itself, which the real signer refuses.
      const { accessToken } = await deviceFlowTokens(idp, 'ana', hostileUrl);
      const answer = await fetch(`${signer.url}/v1/policy`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(answer.status).toBe(401);
      recordFault({
        abuse: "a signer relaying another signer's sign-in",
        attempts: 2,
        refused: Number(relayed.code === 3) + Number(answer.status === 401),
        by: 'client audience check; the audience bound to publicUrl (401)',
      });
    } finally {
      hostile.close();
    }
  });

  it('refuses to sign in over plain http to a signer off this machine', async () => {
    const answer = await hoist(['login', '--signer', 'http://signer.example.test'], {});
    expect(answer.code).toBe(2);
    expect(answer.stderr).toContain('expected the signer to be https, or http on this machine');
  });
});

describe('an access token that expires mid-run', () => {
  it('is refreshed once when the signer refuses it, and the batch goes on', async () => {
    const home = await mkdtemp(join(tmpdir(), 'hoist-refresh-'));
    const store = new SignInStore(join(home, 'sign-in.json'));
    const origin = new URL(signer.url).origin;
    const login = await hoist(['login', '--signer', signer.url], { HOIST_SIGN_IN_FILE: store.path }, 'ben');
    expect(login.code).toBe(0);
    const stale = store.get(origin)!;
    await new Promise((done) => setTimeout(done, 5_500));
    let refreshes = 0;
    const engine = new UploadEngine({
      signerUrl: signer.url,
      token: stale.accessToken,
      refreshToken: async () => {
        refreshes += 1;
        return (await refreshSignIn(stale)).accessToken;
      },
      stateDir: join(home, 'state'),
    });
    try {
      const report = await engine.batch(await makeFolder({ 'x.txt': 'x' })).run();
      expect([...report.files].map((f) => f.status)).toEqual(['uploaded']);
      expect(refreshes).toBe(1);
    } finally {
      engine.close();
    }
  });
});
