import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { isLoopbackHost } from '@hoist/protocol';
import type { SignedIn } from './credentials';
import { audienceParameters, discoverProvider, signedInFrom } from './provider';
import { originOf, signInInfo } from './signer-sign-in';
import type { SmallFetch } from '../engine';

/** How long the loopback redirect waits for the person to finish at the provider. */
const WAIT_MS = 5 * 60_000;

const PAGE = (title: string, text: string): string =>
  `<!doctype html><meta charset="utf-8"><title>${title}</title><body style="font:16px system-ui;margin:3em">` +
  `<h1>${title}</h1><p>${text}</p></body>`;

/**
 * Signs in through the system browser: authorization code with PKCE (S256) and a one-time `state`, the
 * provider redirecting to a loopback address on a free port (RFC 8252), which takes one answer and
 * closes. `open` shows the provider's page in the browser.
 */
export async function browserSignIn(
  signerUrl: string,
  open: (url: string) => Promise<void>,
  fetch?: SmallFetch,
): Promise<SignedIn> {
  const oidc = await signInInfo(signerUrl, fetch);
  const config = await discoverProvider(oidc, fetch);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  let settle!: { resolve: (url: URL) => void; reject: (error: Error) => void };
  const answered = new Promise<URL>((resolve, reject) => (settle = { resolve, reject }));
  let redirectUri = '';
  const server = createServer((req, res) => {
    // The grant names the redirect URI exactly as the provider was given it: port included.
    const url = new URL(req.url ?? '/', redirectUri);
    if (url.pathname !== '/callback') {
      res.writeHead(404).end();
      return;
    }
    const failed = url.searchParams.get('error');
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(
      failed
        ? PAGE('Sign-in failed', 'The identity provider did not sign you in to Hoist. You can close this tab.')
        : PAGE('Signed in to Hoist', 'You can close this tab and go back to Hoist.'),
    );
    settle.resolve(url);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  redirectUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
  const timer = setTimeout(
    () => settle.reject(new Error('The sign-in in the browser did not finish within 5 minutes')),
    WAIT_MS,
  );
  try {
    const params = audienceParameters(oidc, originOf(signerUrl));
    const authorization = client.buildAuthorizationUrl(config, {
      ...params,
      redirect_uri: redirectUri,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      // Providers give a refresh token for offline access only after the person consents to it.
      ...(oidc.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
    });
    const local = authorization.protocol === 'http:' && isLoopbackHost(authorization.hostname);
    if (authorization.protocol !== 'https:' && !local) {
      throw new Error(`The identity provider's sign-in page is not https: \`${authorization.origin}\``);
    }
    await open(authorization.href);
    const callback = await answered;
    const tokens = await client.authorizationCodeGrant(
      config,
      callback,
      {
        pkceCodeVerifier: verifier,
        expectedState: state,
      },
      params.resource ? { resource: params.resource } : undefined,
    );
    return signedInFrom(oidc, originOf(signerUrl), tokens);
  } finally {
    clearTimeout(timer);
    server.closeAllConnections();
    server.close();
  }
}
