import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseConfig } from '@hoist/signer-server/config';
import {
  deviceFlowTokens,
  providerKey,
  startTestIdentityProvider,
  type TestIdentityProvider,
  trusting,
} from '../helpers/identity-provider';
import { callSigner, startTestSigner, type TestSigner } from '../helpers/signer';
import { recordFault } from '../helpers/fault-ledger';

const s3 = inject('s3');

const sign = (signer: TestSigner, token: string, path = 'a.png') =>
  callSigner(signer.url, token, 'POST', '/v1/batches/sign', {
    batch: 'b1',
    files: [{ path, size: 10, type: 'image/png', md5: '1B2M2Y8AsgTpgAmY7PhCfg==' }],
  });

describe('sign-in with an OpenID provider', () => {
  let idp: TestIdentityProvider;
  let signer: TestSigner;

  beforeAll(async () => {
    idp = await startTestIdentityProvider({ keys: [await providerKey('k1')] });
    signer = await startTestSigner(s3, trusting(idp, { jwksCooldownSeconds: 0 }));
  });
  afterAll(async () => {
    await signer?.close();
    await idp?.close();
  });

  it('tells a client where to sign in, without a token', async () => {
    const info = await callSigner(signer.url, undefined, 'GET', '/v1/sign-in');
    expect(info.status).toBe(200);
    expect(info.json).toEqual({
      oidc: {
        issuer: idp.issuer,
        clientId: 'hoist',
        audience: signer.url,
        scopes: ['openid', 'offline_access', 'upload'],
      },
    });
  });

  it("accepts the provider's access token, keys the user's files under the template, and keeps static tokens working", async () => {
    const { accessToken } = await deviceFlowTokens(idp, 'auth0|ana', signer.url);
    const policy = await callSigner(signer.url, accessToken, 'GET', '/v1/policy');
    expect(policy.status).toBe(200);
    expect(policy.json).toMatchObject({ user: 'oidc:auth0|ana', prefix: 'users/auth0~7Cana' });
    const signed = await sign(signer, accessToken);
    expect(signed.json.files[0]).toMatchObject({ status: 'put', key: 'users/auth0~7Cana/b1/a.png' });
    expect((await callSigner(signer.url, signer.tokens.alice, 'GET', '/v1/policy')).json.prefix).toBe('teams/alice');
  });

  it('refuses a token for another audience, naming the audience it expects', async () => {
    const { accessToken } = await deviceFlowTokens(idp, 'ana', 'https://another-service.test/');
    const answer = await sign(signer, accessToken);
    expect(answer.status).toBe(401);
    expect(answer.json.error.message).toContain(`audience \`${signer.url}\``);
    recordFault({ abuse: 'OIDC token for another audience', attempts: 1, refused: 1, by: 'the signer (401)' });
  });

  it('refuses a token from another issuer, even one that names the same user', async () => {
    const stranger = await startTestIdentityProvider({ audience: signer.url });
    try {
      const { accessToken } = await deviceFlowTokens(stranger, 'ana', signer.url);
      const answer = await sign(signer, accessToken);
      expect(answer.status).toBe(401);
      expect(answer.json.error.message).toContain(`not from \`${idp.issuer}\``);
      recordFault({ abuse: 'OIDC token from another issuer', attempts: 1, refused: 1, by: 'the signer (401)' });
    } finally {
      await stranger.close();
    }
  });

  it('accepts tokens signed with a rotated key, fetching the JWKS again for the unknown key id', async () => {
    const before = await deviceFlowTokens(idp, 'ana', signer.url);
    expect((await sign(signer, before.accessToken)).status).toBe(200);
    await idp.restart([await providerKey('k2'), await providerKey('k1-gone')]);
    const after = await deviceFlowTokens(idp, 'ana', signer.url);
    expect(JSON.parse(Buffer.from(after.accessToken.split('.')[0]!, 'base64url').toString()).kid).toBe('k2');
    const answer = await sign(signer, after.accessToken);
    expect(answer.status).toBe(200);
  });

  it('refuses a token whose signature is not the provider’s', async () => {
    const { accessToken } = await deviceFlowTokens(idp, 'ana', signer.url);
    const [header, payload] = accessToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: 'bob' })).toString('base64url')}.${accessToken.split('.')[2]}`;
    const answer = await sign(signer, forged);
    expect(answer.status).toBe(401);
    recordFault({ abuse: 'OIDC token with edited claims', attempts: 1, refused: 1, by: 'the signer (401)' });
  });
});

describe('an expired OpenID token', () => {
  it('is refused with when it expired and what to do', async () => {
    const idp = await startTestIdentityProvider({ accessTokenTtl: 2 });
    const signer = await startTestSigner(s3, {
      oidc: { issuer: idp.issuer, clientId: idp.clientId, clockToleranceSeconds: 0 },
      prefixes: { alice: 'teams/alice', bob: 'teams/bob' },
    });
    try {
      const { accessToken } = await deviceFlowTokens(idp, 'ana', signer.url);
      expect((await sign(signer, accessToken)).status).toBe(200);
      await new Promise((done) => setTimeout(done, 3_100));
      const answer = await sign(signer, accessToken);
      expect(answer.status).toBe(401);
      expect(answer.json.error.message).toMatch(/^The token expired at \d{4}-.*; sign in again \(`hoist login`\)$/u);
      recordFault({ abuse: 'expired OIDC token', attempts: 1, refused: 1, by: 'the signer (401)' });
    } finally {
      await signer.close();
      await idp.close();
    }
  });
});

describe('OIDC settings', () => {
  const base = {
    s3: { bucket: 'hoist-bucket' },
    tokenSecret: '3f9a1c07d2b84e6a95c0f1e27b3d48a6c5e9f0a1b2c3d4e5f60718293a4b5c6d',
    publicUrl: 'https://signer.example.com',
    oidc: { issuer: 'https://id.example.com', clientId: 'hoist' },
  };

  it('refuse a static user inside the folder the template gives signed-in users', () => {
    expect(() =>
      parseConfig({ ...base, users: [{ id: 'ana', tokenSha256: 'a'.repeat(64), prefix: 'users/ana' }] }),
    ).toThrow(/`users\[ana\]\.prefix`: the prefix of user `ana` \(`users\/ana`\) overlaps `oidc\.prefixTemplate`/u);
    expect(() =>
      parseConfig({ ...base, users: [{ id: 'ana', tokenSha256: 'a'.repeat(64), prefix: 'staff/ana' }] }),
    ).not.toThrow();
  });

  it('refuse a template without the user claim, a plain-http issuer off loopback, and `oidc:` ids', () => {
    expect(() => parseConfig({ ...base, oidc: { ...base.oidc, prefixTemplate: 'users/{email_verified}/x' } })).toThrow(
      /must hold `\{sub\}`/u,
    );
    expect(() => parseConfig({ ...base, oidc: { ...base.oidc, issuer: 'http://id.example.com' } })).toThrow(
      /`oidc\.issuer`: expected an `https:` issuer/u,
    );
    expect(() =>
      parseConfig({ ...base, users: [{ id: 'oidc:ana', tokenSha256: 'a'.repeat(64), prefix: 'staff/ana' }] }),
    ).toThrow(/`users\[oidc:ana\]\.id`/u);
    expect(parseConfig(base).users).toEqual([]);
  });
});
