import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { chromium } from 'playwright-core';

/** A signing key of the test provider: its private JWK, with a key id. */
export type ProviderKey = JWK & { kid: string };

/** A real OpenID provider (oidc-provider) on loopback: discovery, JWKS, device flow, code flow with PKCE. */
export interface TestIdentityProvider {
  issuer: string;
  audience: string;
  clientId: string;
  /** Starts it again on the same address, publishing `keys` (the first signs), as a key rotation does. */
  restart(keys: ProviderKey[]): Promise<void>;
  close(): Promise<void>;
}

export interface TestIdentityProviderOptions {
  /** Seconds an access token lives; 300 by default. */
  accessTokenTtl?: number;
  audience?: string;
  keys?: ProviderKey[];
  /** Claims added to every access token, by user (a prefix claim, say). */
  extraClaims?: (sub: string) => Record<string, unknown>;
  /** The port to listen on, to stand in for another provider at a known address; a free one by default. */
  port?: number;
}

/** A fresh RS256 key for the test provider. */
export async function providerKey(kid: string): Promise<ProviderKey> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

/** Starts a real OpenID provider whose JWT access tokens name `audience`, with one public client `hoist`. */
export async function startTestIdentityProvider(
  options: TestIdentityProviderOptions = {},
): Promise<TestIdentityProvider> {
  const audience = options.audience ?? 'https://signer.hoist.test/';
  const clientId = 'hoist';
  let keys = options.keys ?? [await providerKey('k1')];
  let server: Server = createServer();
  await new Promise<void>((done) => server.listen(options.port ?? 0, '127.0.0.1', done));
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://127.0.0.1:${port}`;
  const make = (): Provider =>
    new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          token_endpoint_auth_method: 'none',
          application_type: 'native',
          grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token', 'authorization_code'],
          response_types: ['code'],
          redirect_uris: ['http://127.0.0.1/callback'],
        },
      ],
      jwks: { keys },
      cookies: { keys: ['test-cookie-key-0123456789abcdef'] },
      scopes: ['openid', 'offline_access', 'upload'],
      findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
      extraTokenClaims: (_ctx, token) => {
        const sub = (token as { accountId?: string }).accountId;
        return sub && options.extraClaims ? options.extraClaims(sub) : undefined;
      },
      issueRefreshToken: (_ctx, client, code) =>
        client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
      features: {
        devInteractions: { enabled: true },
        deviceFlow: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: 'upload',
            audience: resource,
            accessTokenTTL: options.accessTokenTtl ?? 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      ttl: { AccessToken: options.accessTokenTtl ?? 300, DeviceCode: 600, RefreshToken: 3600 },
    });
  server.on('request', make().callback());
  return {
    issuer,
    audience,
    clientId,
    async restart(next) {
      keys = next;
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      server = createServer(make().callback());
      await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
      // Lets clients holding kept-alive sockets to the old server see them closed before they reuse one.
      await new Promise((done) => setTimeout(done, 200));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * Plays the person at the provider in headless Chromium: opens `url` (a device verification page or an
 * authorization URL), confirms, signs in as `login` and grants access; resolves once the provider is done.
 */
export async function approveInBrowser(url: string, login: string): Promise<string> {
  const issuer = new URL(url).origin;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.route(/fonts\.googleapis\.com/u, (route) => route.abort());
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    for (let step = 0; step < 8; step++) {
      if (new URL(page.url()).origin !== issuer || (await page.title()) === 'Sign-in Success') return page.url();
      if (await page.locator('input[name=login]').count()) {
        await page.fill('input[name=login]', login);
        await page.fill('input[name=password]', 'any');
      }
      const before = page.url();
      await page.locator('button[autofocus], button.login-submit').first().click();
      await page.waitForURL((next) => next.href !== before, { waitUntil: 'domcontentloaded' });
    }
    throw new Error(
      `The provider did not finish signing in \`${login}\`; it shows ${page.url()}: ${await page.title()}`,
    );
  } finally {
    await browser.close();
  }
}

/** Tokens the provider issued to a person, through the device flow. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken?: string;
}

/**
 * Signs `login` in at the provider through the device flow (openid-client asks, Chromium approves) and
 * returns the tokens; `resource` picks the audience the access token is for (a signer's origin).
 */
export async function deviceFlowTokens(
  idp: TestIdentityProvider,
  login: string,
  resource: string,
): Promise<IssuedTokens> {
  const client = await import('openid-client');
  const config = await client.discovery(new URL(idp.issuer), idp.clientId, undefined, client.None(), {
    execute: [client.allowInsecureRequests],
  });
  const started = await client.initiateDeviceAuthorization(config, { scope: 'openid offline_access upload', resource });
  await approveInBrowser(started.verification_uri_complete!, login);
  // Approved already: one poll right away instead of waiting the provider's 5 s interval first.
  const tokens = await client.pollDeviceAuthorizationGrant(config, { ...started, interval: 0.05 }, undefined, {
    signal: AbortSignal.timeout(20_000),
  });
  return { accessToken: tokens.access_token, ...(tokens.refresh_token ? { refreshToken: tokens.refresh_token } : {}) };
}

/**
 * Test-signer settings that trust `idp` (its issuer, client and scopes; the audience is the signer's own
 * origin), with `oidc` overrides; the static test users move to `teams/`, outside the `users/{sub}`
 * folder signed-in users get.
 */
export function trusting(idp: TestIdentityProvider, oidc: Record<string, unknown> = {}) {
  return {
    oidc: {
      issuer: idp.issuer,
      clientId: idp.clientId,
      scopes: ['openid', 'offline_access', 'upload'],
      ...oidc,
    },
    prefixes: { alice: 'teams/alice', bob: 'teams/bob' },
  };
}
